import type { Aggregator, Expr, QueryPlan, TagFilter } from "./ast";
import { QueryError } from "./query-error";
import { position, tokenize, type Token } from "./tokenize";

/**
 * Parser for the subset of the Apptuit query language that the embedded backend serves.
 *
 * Supported:
 *
 *   fetch('metric')                          every series of a metric, raw points
 *   fetch('metric', {host: 'a'})             tag filter: exact value
 *   fetch('metric', {host: 'a|b'})           any of several values
 *   fetch('metric', {host: '*'})             the tag must be present, any value
 *   fetch('metric', {host: 'web-*'})         `*` matches any run of characters
 *   fetch("metric", {"dc": "eu", host: "a"}) double quotes, quoted keys; filters AND together
 *   <expr>.downsample('10m', 'avg')          buckets aligned to the epoch, labelled by their
 *                                            start; units ms s m h d w; avg sum min max count
 *   a = fetch(...)...; b = a.downsample(...); output(a, b)
 *                                            statements separated by `;` (a trailing `;` is
 *                                            fine); `output(...)` names the outputs, in order
 *   fetch('metric')...                       a bare expression is an output whose id is the
 *                                            metric name (or the variable name, for `a`)
 *
 * Not supported (a 400 names the construct): other functions and methods (rate, sum by tag,
 * arithmetic, …), numeric literals, relative times. Series are never aggregated across
 * tags, so `aggregatedTags` is always `[]`.
 *
 * The tokenizer and this recursive-descent parser are linear in the query length.
 */

const AGGREGATORS: readonly Aggregator[] = ["avg", "sum", "min", "max", "count"];
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const MAX_QUERY_LENGTH = 64 * 1024;

export function parseQuery(source: string): QueryPlan {
  if (source.length > MAX_QUERY_LENGTH) throw new QueryError(`query longer than ${MAX_QUERY_LENGTH} characters`);
  return new Parser(source).program();
}

class Parser {
  private readonly tokens: Token[];
  private index = 0;
  private readonly variables = new Map<string, Expr>();
  private readonly outputs: QueryPlan["outputs"] = [];

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  program(): QueryPlan {
    while (this.peek().kind !== "end") {
      if (this.isPunct(";")) {
        this.next();
        continue;
      }
      this.statement();
      if (this.peek().kind !== "end") this.expectPunct(";", "';' between statements");
    }
    if (this.outputs.length === 0) {
      throw new QueryError(
        this.variables.size > 0
          ? "the query has no output: add output(name, ...) or end with an expression"
          : "empty query: expected fetch('metric')",
      );
    }
    return { outputs: this.outputs };
  }

  private statement(): void {
    const token = this.peek();
    const after = this.tokens[this.index + 1];
    if (token.kind === "ident" && token.text === "output" && after?.text === "(" && after.kind === "punct") {
      this.outputStatement();
    } else if (token.kind === "ident" && after?.kind === "punct" && after.text === "=") {
      this.index += 2;
      if (token.text === "fetch" || token.text === "output")
        throw this.error(token, `"${token.text}" is reserved and cannot be a variable name`);
      if (this.variables.has(token.text)) throw this.error(token, `variable "${token.text}" is assigned twice`);
      this.variables.set(token.text, this.expression());
    } else {
      const id = token.kind === "ident" && token.text !== "fetch" ? token.text : undefined;
      const expr = this.expression();
      this.outputs.push({ id: id ?? metricOf(expr), expr });
    }
  }

  private outputStatement(): void {
    this.index += 2; // output (
    do {
      const name = this.expect("ident", "a variable name in output(...)");
      const expr = this.variables.get(name.text);
      if (expr === undefined) throw this.error(name, `output(${name.text}): "${name.text}" is not defined`);
      this.outputs.push({ id: name.text, expr });
    } while (this.acceptPunct(","));
    this.expectPunct(")", "')' to close output(...)");
  }

  /** primary ('.' method)* */
  private expression(): Expr {
    let expr = this.primary();
    while (this.acceptPunct(".")) {
      const method = this.expect("ident", "a method name after '.'");
      if (method.text !== "downsample") throw this.error(method, `unsupported method .${method.text}() (supported: .downsample)`);
      expr = this.downsample(expr);
    }
    return expr;
  }

  private primary(): Expr {
    const token = this.expect("ident", "fetch(...) or a variable");
    if (token.text === "fetch") return this.fetch();
    const variable = this.variables.get(token.text);
    if (variable !== undefined) return variable;
    if (this.isPunct("(")) throw this.error(token, `unsupported function ${token.text}() (supported: fetch, output)`);
    throw this.error(token, `"${token.text}" is not defined`);
  }

  private fetch(): Expr {
    this.expectPunct("(", "'(' after fetch");
    const metric = this.expect("string", "a quoted metric name in fetch(...)").text;
    if (metric === "") throw this.error(this.tokens[this.index - 1]!, "fetch('') needs a metric name");
    const filters: TagFilter[] = [];
    if (this.acceptPunct(",")) {
      this.expectPunct("{", "a tag filter object {key: 'value'}");
      while (!this.isPunct("}")) {
        const key = this.peek();
        if (key.kind !== "ident" && key.kind !== "string") throw this.error(key, "expected a tag key");
        this.next();
        this.expectPunct(":", "':' after a tag key");
        const value = this.expect("string", "a quoted tag value");
        filters.push({ key: key.text, patterns: value.text.split("|") });
        if (!this.acceptPunct(",")) break;
      }
      this.expectPunct("}", "'}' to close the tag filter");
    }
    this.expectPunct(")", "')' to close fetch(...)");
    return { kind: "fetch", metric, filters };
  }

  private downsample(input: Expr): Expr {
    this.expectPunct("(", "'(' after downsample");
    const interval = this.expect("string", "a quoted interval such as '1m'");
    this.expectPunct(",", "',' and an aggregator");
    const aggregator = this.expect("string", "a quoted aggregator such as 'avg'");
    this.expectPunct(")", "')' to close downsample(...)");
    if (!(AGGREGATORS as readonly string[]).includes(aggregator.text)) {
      throw this.error(aggregator, `unsupported aggregator '${aggregator.text}' (supported: ${AGGREGATORS.join(", ")})`);
    }
    return { kind: "downsample", input, intervalMs: this.interval(interval), aggregator: aggregator.text as Aggregator };
  }

  private interval(token: Token): number {
    const match = /^([0-9]{1,9})(ms|s|m|h|d|w)$/.exec(token.text);
    const amount = Number(match?.[1]);
    if (match === null || amount === 0) throw this.error(token, `invalid interval '${token.text}' (e.g. '30s', '1m', '1h', '1d')`);
    return amount * UNIT_MS[match[2]!]!;
  }

  private peek(): Token {
    return this.tokens[this.index]!;
  }

  private next(): Token {
    return this.tokens[this.index++]!;
  }

  private isPunct(text: string): boolean {
    const token = this.peek();
    return token.kind === "punct" && token.text === text;
  }

  private acceptPunct(text: string): boolean {
    if (!this.isPunct(text)) return false;
    this.index++;
    return true;
  }

  private expectPunct(text: string, what: string): void {
    if (!this.acceptPunct(text)) throw this.error(this.peek(), `expected ${what}`);
  }

  private expect(kind: Token["kind"], what: string): Token {
    const token = this.peek();
    if (token.kind !== kind) throw this.error(token, `expected ${what}`);
    return this.next();
  }

  private error(token: Token, message: string): QueryError {
    const found = token.kind === "end" ? "end of query" : token.kind === "string" ? `'${token.text}'` : `"${token.text}"`;
    const suffix = message.startsWith("expected") ? `, found ${found}` : "";
    return new QueryError(`query parse error at ${position(this.source, token.offset)}: ${message}${suffix}`, token.offset);
  }
}

function metricOf(expr: Expr): string {
  return expr.kind === "fetch" ? expr.metric : metricOf(expr.input);
}
