// Drives code-server's VS Code in chromium: opens bad.nnet, waits for the server's diagnostic
// (the gate's shape error) in the Problems panel, reads the shapes the inlay hints show after the
// statements without an error (a screenshot of them goes to OUT_DIR), hovers h and reads its shape;
// then opens typo.nnet, applies the quick fix of its misspelt activation (Ctrl+.) and formats it.
// Usage: node e2e.mjs URL RUN_DIR OUT_DIR (e2e.sh starts code-server and passes them).
import { createRequire } from 'module';
const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const [url, runDir, outDir] = process.argv.slice(2);
const expectDiagnostic = "gate needs g of h's shape or [1]: h is [4], g is [3]";
const expectHover = 'h: [4]';
const expectHints = ['h = dense(x, 4, relu) : [4]', 'g = dense(x, 3, sigmoid) : [3]'];

/** The editor's lines as shown, inlay hints included (they are text in the line, apart from the model). */
async function shownLines(page) {
  return (await page.locator('.monaco-editor .view-line').allInnerTexts()).map((l) => l.replace(/\u00a0/g, ' ').replace(/\s+/g, ' ').trim());
}

async function waitFor(what, page, test, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const lines = await shownLines(page);
    if (test(lines)) return lines;
    if (Date.now() > end) {
      await page.screenshot({ path: `${outDir}/failed.png` });
      throw new Error(`${what} not shown within ${timeout} ms; the editor shows:\n${lines.join('\n')}`);
    }
    await page.waitForTimeout(500);
  }
}

/** Opens a file of the workspace through Quick Open, as a user would; its tab then shows its name. */
async function open(page, name) {
  try {
    await page.keyboard.press('Control+P');
    await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 60_000 });
    await page.keyboard.type(name);
    // the file search answers once the workspace is indexed: wait for the file in the list
    await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 120_000 });
    await page.keyboard.press('Enter');
    await page.locator('.tab.active', { hasText: name }).waitFor({ timeout: 60_000 });
    await page.waitForSelector('.monaco-editor .view-lines', { timeout: 60_000 });
  } catch (e) {
    await page.screenshot({ path: `${outDir}/open-failed.png` });
    throw e;
  }
}

// a fresh profile for each run
const browser = await chromium.launchPersistentContext(`${runDir}/chromium`, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu'],
  viewport: { width: 1400, height: 900 },
});
try {
  const page = await browser.newPage();
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  await page.waitForTimeout(3000); // the workbench restores itself before it takes keys

  // open the file through Quick Open, as a user would
  await open(page, 'bad.nnet');

  // the diagnostic: a squiggle in the editor, and the message in the Problems panel
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 180_000 });
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel .monaco-tl-contents');
  await problems.first().waitFor({ timeout: 30_000 });
  const problemText = (await problems.allInnerTexts()).join('\n');
  if (!problemText.includes(expectDiagnostic)) throw new Error(`Problems panel lacks "${expectDiagnostic}":\n${problemText}`);
  console.log(`e2e: diagnostic shown: ${expectDiagnostic}`);

  // the inlay hints: each statement without an error shows its shape after it, in the line as drawn
  // (a hint's padding is a margin, not a space: compare without spaces)
  const bare = (t) => t.replace(/\s/g, '');
  const hinted = await waitFor('the inlay hints', page, (lines) => expectHints.every((h) => lines.map(bare).includes(bare(h))));
  await page.screenshot({ path: `${outDir}/inlay-hints.png` });
  if (hinted.some((l) => bare(l).startsWith('next,skip=gate(h,g):'))) throw new Error('the statement with the error has a hint');
  console.log(`e2e: inlay hints shown: ${expectHints.join('; ')} (screenshot ${outDir}/inlay-hints.png)`);

  // the hover: the mouse over h in "gate(h, g)", as a user points at it
  await page.keyboard.press('Escape');
  const line = page.locator('.monaco-editor .view-line', { hasText: 'gate(h, g)' }).first();
  const point = await line.evaluate((el) => {
    // the screen place of the character h: a DOM range over it in the line's text nodes
    const column = el.textContent.indexOf('gate(h') + 'gate('.length;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let n, left = column; (n = walker.nextNode()); left -= n.length) {
      if (left >= n.length) continue;
      const range = document.createRange();
      range.setStart(n, left);
      range.setEnd(n, left + 1);
      const r = range.getBoundingClientRect();
      return { x: r.x + r.width / 2, y: r.y + r.height / 2 };
    }
    return null;
  });
  await page.mouse.move(point.x - 20, point.y);
  await page.mouse.move(point.x, point.y, { steps: 5 });
  // the editor keeps hidden hover widgets too: wait for a visible one
  const hover = page.locator('.monaco-hover-content').filter({ visible: true });
  try {
    await hover.first().waitFor({ timeout: 60_000 });
  } catch (e) {
    await page.screenshot({ path: `${process.env.E2E_SCREENSHOTS || runDir}/hover-failed.png` });
    throw e;
  }
  const hoverText = (await hover.allInnerTexts()).join('\n');
  if (!hoverText.includes(expectHover)) throw new Error(`hover lacks "${expectHover}":\n${hoverText}`);
  console.log(`e2e: hover shown: ${hoverText.split('\n').filter((l) => l.includes(expectHover))[0]}`);

  // a quick fix: Ctrl+. on the misspelt activation offers "Change to 'relu'" first; Enter applies it
  await page.keyboard.press('Escape');
  await open(page, 'typo.nnet');
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 120_000 });
  await page.keyboard.press('F8'); // to the problem, as a user jumps there
  await page.waitForTimeout(1000);
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+.');
  const menu = page.locator('.action-widget').filter({ visible: true });
  await menu.first().waitFor({ timeout: 30_000 });
  const offered = (await menu.allInnerTexts()).join('\n');
  if (!offered.includes("Change to 'relu'")) throw new Error(`the quick fix menu lacks "Change to 'relu'":\n${offered}`);
  await page.keyboard.press('Enter');
  await waitFor('the fixed line', page, (lines) => lines.some((l) => l.startsWith('h=dense(x,4,relu)')));
  await page.waitForSelector('.monaco-editor .squiggly-error', { state: 'detached', timeout: 60_000 });
  console.log("e2e: quick fix applied: rellu -> relu, and the error is gone");

  // formatting, as nnetc fmt does it
  await page.keyboard.press('F1'); // the command palette (Format Document's key differs between systems)
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 60_000 });
  await page.keyboard.type('Format Document');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Format Document' }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await waitFor('the formatted line', page, (lines) => lines.some((l) => l.startsWith('h = dense(x, 4, relu)')));
  const notices = (await page.locator('.notifications-toasts').allInnerTexts()).join('\n');
  if (notices.includes('failed')) throw new Error(`the editor reports a failed request:\n${notices}`);
  await page.screenshot({ path: `${outDir}/quick-fix-and-format.png` });
  console.log(`e2e: formatted (screenshot ${outDir}/quick-fix-and-format.png)`);
  console.log('e2e: ok');
} finally {
  await browser.close();
}
