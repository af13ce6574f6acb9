import { PromError } from "./prom-error";

/**
 * The PromQL subset of the embedded backend: one bare instant-vector selector.
 *
 *   metric                       every series of `metric`
 *   metric{k="v", k2!="w"}       label equality / inequality (single quotes and backticks too)
 *   proc.cpu.percent{host="a"}   dotted (Apptuit-style) names are allowed without quoting
 *   {__name__="m", k="v"}        the name as a matcher
 *   {"dotted.name", k="v"}       Prometheus 3 quoted-name form
 *
 * Anything else (functions, operators, range vectors, regex matchers, offsets) is a
 * `bad_data` error. Hand-written scanner: linear time.
 */
export interface Selector {
  metric: string;
  matchers: { key: string; op: "=" | "!="; value: string }[];
}

export function parseSelector(source: string): Selector {
  return new SelectorScanner(source).selector();
}

class SelectorScanner {
  private i = 0;
  private metric: string | undefined;
  private readonly matchers: Selector["matchers"] = [];

  constructor(private readonly src: string) {}

  selector(): Selector {
    this.space();
    const name = this.word();
    if (name !== "") this.metric = name;
    this.space();
    if (this.src[this.i] === "(")
      throw this.fail(`unsupported function ${name}(): only a bare selector such as metric{k="v"} is supported`);
    if (this.src[this.i] === "{") this.labels();
    this.space();
    if (this.i < this.src.length)
      throw this.fail(`unsupported PromQL at position ${this.i}: only a bare selector such as metric{k="v"} is supported`);
    const byName = this.matchers.filter((m) => m.key === "__name__");
    for (const m of byName) {
      if (m.op !== "=" || (this.metric !== undefined && this.metric !== m.value)) throw this.fail("__name__ supports one = matcher only");
      this.metric = m.value;
    }
    if (this.metric === undefined) throw this.fail("a selector needs a metric name");
    return { metric: this.metric, matchers: this.matchers.filter((m) => m.key !== "__name__") };
  }

  private labels(): void {
    this.i++; // {
    for (;;) {
      this.space();
      if (this.src[this.i] === "}") break;
      if (this.quote() !== undefined) {
        const name = this.string();
        this.space();
        if (this.src[this.i] !== "=" && this.src[this.i] !== "!") {
          if (this.metric !== undefined) throw this.fail("the metric name is given twice");
          this.metric = name;
        } else this.matcher(name);
      } else {
        const key = this.word();
        if (key === "") throw this.fail(`expected a label name at position ${this.i}`);
        this.space();
        this.matcher(key);
      }
      this.space();
      if (this.src[this.i] === ",") this.i++;
      else if (this.src[this.i] !== "}") throw this.fail(`expected ',' or '}' at position ${this.i}`);
    }
    this.i++; // }
  }

  private matcher(key: string): void {
    const two = this.src.slice(this.i, this.i + 2);
    if (two === "=~" || two === "!~") throw this.fail(`regex matchers (${two}) are not supported by the embedded backend`);
    let op: "=" | "!=";
    if (two === "!=") op = "!=";
    else if (this.src[this.i] === "=") op = "=";
    else throw this.fail(`expected = or != after label ${key}`);
    this.i += op.length;
    this.space();
    if (this.quote() === undefined) throw this.fail(`expected a quoted value for label ${key}`);
    this.matchers.push({ key, op, value: this.string() });
  }

  private quote(): string | undefined {
    const ch = this.src[this.i];
    return ch === '"' || ch === "'" || ch === "`" ? ch : undefined;
  }

  private string(): string {
    const q = this.src[this.i]!;
    let text = "";
    this.i++;
    while (this.i < this.src.length && this.src[this.i] !== q) {
      if (this.src[this.i] === "\\" && q !== "`" && this.i + 1 < this.src.length) this.i++;
      text += this.src[this.i]!;
      this.i++;
    }
    if (this.i >= this.src.length) throw this.fail("unterminated string");
    this.i++;
    return text;
  }

  /** Letters, digits and `_ : . / -` (Prometheus names plus Apptuit's dotted ones). */
  private word(): string {
    const start = this.i;
    while (this.i < this.src.length) {
      const ch = String.fromCodePoint(this.src.codePointAt(this.i)!);
      if (!/^[\p{L}\p{N}_:./-]$/u.test(ch)) break;
      this.i += ch.length;
    }
    return this.src.slice(start, this.i);
  }

  private space(): void {
    while (this.i < this.src.length && /\s/.test(this.src[this.i]!)) this.i++;
  }

  private fail(message: string): PromError {
    return new PromError(`parse error: ${message}`);
  }
}
