// Finds every regular expression in src/: literals (on the syntax tree, so comments and
// strings don't count) and `new RegExp(…)` / `RegExp(…)` calls, with their location.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";

export interface FoundRegex {
  where: string;
  /** The compiled literal; undefined for a `RegExp(…)` call (its pattern is built at run time). */
  regex: RegExp | undefined;
  text: string;
}

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

export function findRegexes(root: string): FoundRegex[] {
  const found: FoundRegex[] = [];
  for (const file of files(join(root, "src"))) {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const where = (node: ts.Node) => `${relative(root, file)}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
    const visit = (node: ts.Node) => {
      if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
        const text = node.getText();
        const slash = text.lastIndexOf("/");
        found.push({ where: where(node), regex: new RegExp(text.slice(1, slash), text.slice(slash + 1)), text });
      } else if (
        (ts.isNewExpression(node) || ts.isCallExpression(node)) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === "RegExp"
      ) {
        found.push({ where: where(node), regex: undefined, text: node.getText() });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}
