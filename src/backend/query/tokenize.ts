import { QueryError } from "./query-error";

export type TokenKind = "ident" | "string" | "punct" | "end";

export interface Token {
  kind: TokenKind;
  /** Identifier name, string contents (unescaped) or the punctuation character. */
  text: string;
  offset: number;
}

const PUNCT = new Set(["(", ")", "{", "}", ",", ";", ".", "=", ":"]);

/**
 * Splits a query into tokens in one left-to-right pass (linear time, no regex backtracking).
 * Strings take single or double quotes with backslash escapes.
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (isSpace(ch)) {
      i++;
    } else if (isIdentStart(ch)) {
      const start = i;
      while (i < source.length && isIdentPart(source[i]!)) i++;
      tokens.push({ kind: "ident", text: source.slice(start, i), offset: start });
    } else if (ch === "'" || ch === '"') {
      const start = i;
      let text = "";
      i++;
      for (;;) {
        if (i >= source.length) throw new QueryError(`unterminated string starting at ${position(source, start)}`, start);
        const c = source[i]!;
        if (c === ch) break;
        if (c === "\\" && i + 1 < source.length) {
          text += source[i + 1]!;
          i += 2;
        } else {
          text += c;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", text, offset: start });
    } else if (PUNCT.has(ch)) {
      tokens.push({ kind: "punct", text: ch, offset: i });
      i++;
    } else {
      throw new QueryError(`unexpected character ${JSON.stringify(ch)} at ${position(source, i)}`, i);
    }
  }
  tokens.push({ kind: "end", text: "", offset: source.length });
  return tokens;
}

/** "line L, column C" (1-based) of an offset, for error messages. */
export function position(source: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    if (source[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

function isSpace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\n" || ch === "\r";
}

function isIdentStart(ch: string): boolean {
  return (ch >= "a" && ch <= "z") || (ch >= "A" && ch <= "Z") || ch === "_";
}

function isIdentPart(ch: string): boolean {
  return isIdentStart(ch) || (ch >= "0" && ch <= "9");
}
