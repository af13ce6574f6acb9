// Finds Node built-in imports and runtime-specific globals in a TypeScript or JavaScript
// file, on its syntax tree (so comments, strings and property names don't count).
import ts from "typescript";

const NODE_BUILTINS = new Set([
  "assert",
  "buffer",
  "child_process",
  "cluster",
  "crypto",
  "dgram",
  "dns",
  "events",
  "fs",
  "http",
  "http2",
  "https",
  "net",
  "os",
  "path",
  "perf_hooks",
  "process",
  "querystring",
  "readline",
  "stream",
  "string_decoder",
  "timers",
  "tls",
  "tty",
  "url",
  "util",
  "v8",
  "vm",
  "worker_threads",
  "zlib",
  "async_hooks",
  "diagnostics_channel",
  "module",
]);
/** Globals that belong to one runtime; only its adapter may touch them. */
const RUNTIME_GLOBALS = new Set([
  "process",
  "Buffer",
  "require",
  "__dirname",
  "__filename",
  "global",
  "Deno",
  "window",
  "document",
  "navigator",
  "Bun",
]);

interface Finding {
  file: string;
  line: number;
  what: string;
}

export function scan(file: string, text: string): { imports: string[]; findings: Finding[] } {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports: string[] = [];
  const findings: Finding[] = [];
  const at = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart()).line + 1;
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      imports.push(node.moduleSpecifier.text);
      const spec = node.moduleSpecifier.text;
      if (spec.startsWith("node:") || NODE_BUILTINS.has(spec.split("/")[0]!))
        findings.push({ file, line: at(node), what: `imports Node built-in "${spec}"` });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      if (arg && ts.isStringLiteral(arg)) {
        imports.push(arg.text);
        if (arg.text.startsWith("node:") || NODE_BUILTINS.has(arg.text))
          findings.push({ file, line: at(node), what: `imports Node built-in "${arg.text}"` });
      }
    } else if (ts.isIdentifier(node) && RUNTIME_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isPropertyAssignment(parent) && parent.name === node) ||
        ts.isPropertySignature(parent) ||
        ts.isMethodDeclaration(parent) ||
        ts.isPropertyDeclaration(parent) ||
        ts.isQualifiedName(parent) ||
        ts.isParameter(parent) ||
        ts.isVariableDeclaration(parent) ||
        ts.isBindingElement(parent) ||
        ts.isImportSpecifier(parent) ||
        ts.isShorthandPropertyAssignment(parent);
      if (!isPropertyName) findings.push({ file, line: at(node), what: `uses runtime global "${node.text}"` });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, findings };
}
