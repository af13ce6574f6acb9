// The few `Deno` APIs the adapter uses, declared here so the package builds without Deno's
// own type definitions. Internal only: no public type mentions them.
declare namespace Deno {
  interface PermissionStatus {
    readonly state: "granted" | "denied" | "prompt";
  }
  type PermissionDescriptor = { name: "env"; variable?: string } | { name: "sys"; kind?: "hostname" };
  const permissions: { querySync(descriptor: PermissionDescriptor): PermissionStatus };
  const env: { get(key: string): string | undefined };
  function hostname(): string;
  function unrefTimer(id: number): void;
  function addSignalListener(signal: string, handler: () => void): void;
  function removeSignalListener(signal: string, handler: () => void): void;
  function exit(code?: number): never;
}
