// Checks what `npm run build` cannot: every file package.json names exists and parses, and every
// pattern of the grammar compiles (JavaScript's regexes accept the subset of Oniguruma used here).
const fs = require('fs');
const path = require('path');
const assert = require('assert');

const root = path.join(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const read = (p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

assert.ok(fs.existsSync(path.join(root, pkg.main)), `main ${pkg.main} is missing`);
for (const lang of pkg.contributes.languages) read(lang.configuration);

let patterns = 0;
function compile(rule) {
  for (const key of ['match', 'begin', 'end']) {
    if (rule[key] !== undefined) {
      new RegExp(rule[key]);
      patterns++;
    }
  }
  for (const child of rule.patterns || []) compile(child);
}
for (const g of pkg.contributes.grammars) {
  const grammar = read(g.path);
  assert.strictEqual(grammar.scopeName, g.scopeName);
  compile(grammar);
  Object.values(grammar.repository).forEach(compile);
  for (const inc of JSON.stringify(grammar).match(/"#[a-z-]+"/g)) {
    assert.ok(grammar.repository[inc.slice(2, -1)], `grammar includes unknown ${inc}`);
  }
}
console.log(`package.json, language configuration and ${patterns} grammar patterns: ok`);
