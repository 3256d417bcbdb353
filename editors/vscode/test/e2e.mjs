// Drives code-server's VS Code in chromium: opens bad.nnet, waits for the server's diagnostic
// (the gate's shape error) in the Problems panel, then hovers h and reads its shape.
// Usage: node e2e.mjs URL RUN_DIR (e2e.sh starts code-server and passes both).
import { createRequire } from 'module';
const require = createRequire(process.env.NODE_PATH + '/');
const { chromium } = require('playwright-core');

const [url, runDir] = process.argv.slice(2);
const expectDiagnostic = "gate needs g of h's shape or [1]: h is [4], g is [3]";
const expectHover = 'h: [4]';

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
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 30_000 });
  await page.keyboard.type('bad.nnet');
  await page.waitForTimeout(1000);
  await page.keyboard.press('Enter');
  await page.waitForSelector('.monaco-editor .view-lines', { timeout: 30_000 });

  // the diagnostic: a squiggle in the editor, and the message in the Problems panel
  await page.waitForSelector('.monaco-editor .squiggly-error', { timeout: 180_000 });
  await page.keyboard.press('Control+Shift+M');
  const problems = page.locator('.markers-panel .monaco-tl-contents');
  await problems.first().waitFor({ timeout: 30_000 });
  const problemText = (await problems.allInnerTexts()).join('\n');
  if (!problemText.includes(expectDiagnostic)) throw new Error(`Problems panel lacks "${expectDiagnostic}":\n${problemText}`);
  console.log(`e2e: diagnostic shown: ${expectDiagnostic}`);

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
  console.log('e2e: ok');
} finally {
  await browser.close();
}
