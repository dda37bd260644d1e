// Type-checks the Excel task pane (web/static/taskpane.js and the modules it
// imports) against Microsoft's published Office.js type definitions (npm
// @types/office-js) with TypeScript's checkJs, since the pane cannot be run
// in Excel here. Driven by web/typecheck_test.go:
//
//   node web/e2e/typecheck.mjs [TASKPANE.js [MANIFEST.xml.tmpl]]
//
// It fails (exit status 1, one problem per line on standard error) on:
//   - any TypeScript error: a wrong API name, a wrong argument, a wrong
//     type passed to or read from Office.js;
//   - an Office.js API whose requirement set ([Api set: NAME VERSION] in
//     the definitions) is newer than what the pane may use: the highest
//     version it tests with Office.context.requirements.isSetSupported, or
//     the manifest's MinVersion for that set; or a set that neither names.
// The last line of standard output is a JSON summary: the APIs used with
// their requirement sets.

import ts from 'typescript';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const taskpane = resolve(process.argv[2] || join(here, '..', 'static', 'taskpane.js'));
const manifest = resolve(process.argv[3] || join(here, '..', 'manifest.xml.tmpl'));

const config = ts.getParsedCommandLineOfConfigFile(join(here, 'tsconfig.taskpane.json'), {}, {
  ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => { throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n')); },
});
const program = ts.createProgram({ rootNames: [taskpane], options: { ...config.options, typeRoots: [join(here, 'node_modules', '@types')] } });
const checker = program.getTypeChecker();
const problems = [];

for (const d of ts.getPreEmitDiagnostics(program)) {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    problems.push(`${d.file.fileName}:${line + 1}:${character + 1}: TS${d.code}: ${text}`);
  } else {
    problems.push(`TS${d.code}: ${text}`);
  }
}

// The requirement sets the pane may use.
const cmp = (a, b) => {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 - b1 || a2 - b2;
};
const allowed = new Map();
const allow = (set, version) => {
  if (!allowed.has(set) || cmp(version, allowed.get(set)) > 0) allowed.set(set, version);
};
const source = program.getSourceFile(taskpane);
if (!source) {
  console.error(`${taskpane}: not found`);
  process.exit(1);
}
for (const m of readFileSync(manifest, 'utf8').matchAll(/<Set\s+Name="(\w+)"\s+MinVersion="(\d+\.\d+)"/g)) allow(m[1], m[2]);
for (const m of source.text.matchAll(/isSetSupported\(\s*'(\w+)'\s*,\s*'(\d+\.\d+)'\s*\)/g)) allow(m[1], m[2]);

// apiSets reads the [Api set: NAME VERSION] remarks of a declaration.
function apiSets(decl) {
  const file = decl.getSourceFile();
  const out = [];
  for (const r of ts.getLeadingCommentRanges(file.text, decl.getFullStart()) || []) {
    for (const m of file.text.slice(r.pos, r.end).matchAll(/\[Api set: (\w+) (\d+\.\d+)\]/g)) out.push({ set: m[1], version: m[2] });
  }
  return out;
}

const isOffice = (decl) => decl.getSourceFile().fileName.includes('/@types/office-js/');
const used = new Map();
function visit(node) {
  let decls = [];
  let name = '';
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
    const sig = checker.getResolvedSignature(node);
    if (sig && sig.declaration) decls = [sig.declaration];
    name = node.expression.getText(source);
  } else if (ts.isPropertyAccessExpression(node) && !(ts.isCallExpression(node.parent) && node.parent.expression === node)) {
    const sym = checker.getSymbolAtLocation(node.name);
    decls = (sym && sym.declarations) || [];
    name = node.getText(source);
  }
  for (const d of decls.filter(isOffice)) {
    for (const { set, version } of apiSets(d)) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      const key = `${name} (${set} ${version})`;
      if (!used.has(key)) used.set(key, { api: name, set, version, line: line + 1 });
      const limit = allowed.get(set);
      if (!limit) {
        problems.push(`${taskpane}:${line + 1}: ${name} needs ${set} ${version}, a requirement set neither the manifest nor isSetSupported names`);
      } else if (cmp(version, limit) > 0) {
        problems.push(`${taskpane}:${line + 1}: ${name} needs ${set} ${version}; the pane may use ${set} up to ${limit}`);
      }
    }
  }
  ts.forEachChild(node, visit);
}
visit(source);

if (problems.length) {
  console.error([...new Set(problems)].join('\n'));
  process.exit(1);
}
console.log(JSON.stringify({ ok: true, allowed: Object.fromEntries(allowed), apis: [...used.values()] }));
