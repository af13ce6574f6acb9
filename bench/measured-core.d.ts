// measured-core ships no types; the bench only needs these members.
declare module "measured-core" {
  interface Updatable {
    update(value: number): void;
  }
  const measured: {
    Counter: new () => { inc(n?: number): void };
    Meter: new () => { mark(n?: number): void; end(): void };
    Histogram: new () => Updatable;
    Timer: new () => Updatable & { end(): void };
  };
  export default measured;
}
