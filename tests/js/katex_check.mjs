// Parse TeX formulas with KaTeX, as the browser and GitHub-style renderers would.
// stdin: a JSON list of TeX strings.  stdout: a JSON list of the failures,
// each {index, tex, error}.  Exit status 1 when any formula fails, 2 on bad input.
import katex from '../../node_modules/katex/dist/katex.mjs';

let input = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) input += chunk;

let formulas;
try {
  formulas = JSON.parse(input);
  if (!Array.isArray(formulas)) throw new Error('expected a JSON list of strings');
} catch (err) {
  process.stderr.write(`katex_check: ${err.message}\n`);
  process.exit(2);
}

// Strict about LaTeX compatibility, except characters KaTeX has no font metrics
// for (a user's name in \text{...}, e.g. Ω₁): KaTeX still renders those, in a
// fallback font.
const FALLBACK_FONT = new Set(['unknownSymbol', 'symbolNotInFont']);
const strict = (code) => (FALLBACK_FONT.has(code) ? 'ignore' : 'error');

const failures = [];
formulas.forEach((tex, index) => {
  try {
    katex.renderToString(tex, {throwOnError: true, displayMode: true, strict});
  } catch (err) {
    failures.push({index, tex, error: String(err.message || err)});
  }
});
// exitCode, not exit(): a pipe must get the whole report before node ends
process.stdout.write(JSON.stringify(failures) + '\n');
process.exitCode = failures.length ? 1 : 0;
