// Shared by the real-browser tests (upload.mjs, regione.mjs): Debian's
// chromium's launch flags, the check helper, Italian number formatting,
// the WCAG contrast measure, reaching a control with Tab, downloads, and
// running a test in the browser.

import { chromium } from 'playwright-core';

// Without the background-networking flags chromium's connections are
// refused on the test machines' closed network.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

export const it2 = (v) => Number(v).toLocaleString('it-IT', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

// contrastProblems returns the coloured labels and links whose text
// contrast against their effective background is below 4.5:1 (WCAG AA).
export async function contrastProblems(page, selector) {
  return page.evaluate((sel) => {
    const parse = (c) => {
      const m = c.match(/rgba?\(([^)]+)\)/);
      if (!m) return null;
      const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
      return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
    };
    const lum = ({ r, g, b }) => {
      const f = (v) => {
        v /= 255;
        return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = parse(getComputedStyle(e).backgroundColor);
        if (c && c.a > 0.5) return c;
      }
      return { r: 255, g: 255, b: 255, a: 1 };
    };
    const out = [];
    for (const el of document.querySelectorAll(sel)) {
      if (!el.offsetParent) continue;
      const fg = parse(getComputedStyle(el).color);
      const bg = background(el);
      const l1 = lum(fg);
      const l2 = lum(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < 4.5) out.push(`${el.className || el.tagName} «${el.textContent.trim().slice(0, 30)}»: ${ratio.toFixed(2)}:1`);
    }
    return out;
  }, selector);
}

// tabReaches presses Tab, at most 15 times, until the element with the id
// has the focus; it says whether the focus got there.
export async function tabReaches(page, id) {
  for (let i = 0; i < 15; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((want) => document.activeElement && document.activeElement.id === want, id)) return true;
  }
  return false;
}

// downloadBy returns the download that act (a click, a key press) starts.
export async function downloadBy(page, act, timeout = 60_000) {
  const [download] = await Promise.all([page.waitForEvent('download', { timeout }), act()]);
  return download;
}

// downloadWithKeyboard focuses the control and presses Enter, and returns
// the download that starts.
export async function downloadWithKeyboard(page, selector, timeout = 60_000) {
  await page.locator(selector).focus();
  return downloadBy(page, () => page.keyboard.press('Enter'), timeout);
}

// runBrowser launches Debian's chromium (or $CHROMIUM) and runs test with
// it and the list where pages report their problems. The result test
// returns is printed as the last line of standard output (JSON); a failed
// check, or a problem reported, is printed instead and exits with status 1.
export async function runBrowser(test) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const problems = [];
  let result;
  try {
    result = await test(browser, problems);
    check(problems.length === 0, problems.join('\n'));
  } catch (err) {
    console.error(err.message);
    if (problems.length) console.error(problems.join('\n'));
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  console.log(JSON.stringify(result));
}
