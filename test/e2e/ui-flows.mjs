// What a user sees in the workbench: the Tidemark tree, the Problems panel, and the tree moving
// after "apply all pending" and "roll back" run from the Command Palette.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

const sidebarRows = '.part.sidebar .monaco-list-row';

async function rows(page) {
  return page.$$eval(sidebarRows, (els) => els.map((el) => ({
    label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
    description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
    level: Number(el.getAttribute('aria-level') ?? 0),
  })));
}

async function until(what, probe, seconds = 90) {
  const deadline = Date.now() + seconds * 1000;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}${last ? `: ${last.message}` : ''}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

async function quickOpen(page, file) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(file);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: basename(file) }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The sidebar widened so descriptions ("verified just now by ...") fit, without a hover tooltip. */
async function screenshotTree(page, path) {
  const sidebar = page.locator('.part.sidebar');
  const box = await sidebar.boundingBox();
  if (box && box.width < 500) {
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 1, y);
    await page.mouse.down();
    await page.mouse.move(box.x + 560, y, { steps: 8 });
    await page.mouse.up();
  }
  await page.mouse.move(1300, 850);
  await page.waitForTimeout(300);
  await page.screenshot({ path, clip: { x: 0, y: 0, width: 700, height: 520 } });
}

/** The sandbox's migration rows: level 2 rows after the level-1 "sandbox" row, up to the next environment. */
function migrationRows(all) {
  const start = all.findIndex((r) => r.level === 1 && r.label === 'sandbox');
  if (start < 0) return [];
  const rows = [];
  for (const row of all.slice(start + 1)) {
    if (row.level <= 1) break;
    rows.push(row);
  }
  return rows;
}

export async function runUiFlows({ page, base, workspace, flagged, expected, output, record }) {
  const check = async (title, body) => {
    try {
      await body();
      record(`[workbench] ${title}`);
    } catch (err) {
      record(`[workbench] ${title}`, err);
      await page.screenshot({ path: join(output, `failure-${title.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => {});
    }
  };
  const migrationCount = expected.labels.length;

  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });

  await check('the Tidemark view shows the sandbox environment with its migrations pending', async () => {
    const container = page.locator('.activitybar .action-item a[aria-label^="Tidemark"], .activitybar .action-item[aria-label^="Tidemark"]').first();
    await container.waitFor({ timeout: 90_000 });
    await container.click();
    const shown = await until('the sandbox environment and its migrations in the tree', async () => {
      const all = await rows(page);
      return migrationRows(all).length === migrationCount ? all : undefined;
    });
    const labels = migrationRows(shown).map((r) => r.label);
    if (JSON.stringify(labels) !== JSON.stringify(expected.labels)) throw new Error(`tree shows ${JSON.stringify(labels)}, tidemark status lists ${JSON.stringify(expected.labels)}`);
    const env = shown.find((r) => r.label === 'sandbox');
    if (!new RegExp(`${migrationCount} pending`).test(env.description)) throw new Error(`sandbox says "${env.description}"`);
    const notPending = migrationRows(shown).filter((r) => r.description !== 'pending');
    if (notPending.length) throw new Error(`not pending: ${JSON.stringify(notPending)}`);
    // The status bar names the active environment and how many migrations wait for it.
    const statusBar = (await page.locator('.statusbar-item', { hasText: 'sandbox' }).first().innerText()).trim();
    if (!statusBar.includes(String(migrationCount))) throw new Error(`status bar says "${statusBar}", not ${migrationCount} pending`);
  });

  await check(`the Problems panel lists the ${flagged.rule ?? '(none)'} finding of ${flagged.file ?? '(none)'}`, async () => {
    if (!flagged.file) throw new Error('tidemark lint found nothing to show in this workspace');
    await quickOpen(page, flagged.file);
    const squiggle = page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info').first();
    await squiggle.waitFor({ timeout: 90_000 });
    // Hovering the underlined text shows the finding as a user reads it, for the screenshot.
    const box = await squiggle.boundingBox();
    if (box) {
      await page.mouse.move(box.x + Math.min(box.width / 2, 60), box.y + box.height / 2 - 4);
      await page.locator('.monaco-hover', { hasText: flagged.rule }).first().waitFor({ timeout: 15_000 }).catch(() => {});
    }
    await page.screenshot({ path: join(output, 'diagnostic.png') });
    await page.mouse.move(1300, 850);
    await runCommand(page, 'View: Focus Problems');
    await until('the finding in the Problems panel', async () => {
      const text = await page.locator('.markers-panel').innerText();
      return text.includes(flagged.rule) && text.includes(basename(flagged.file));
    }, 60);
  });

  await check('"Apply All Pending Migrations" turns every migration in the tree to applied', async () => {
    await runCommand(page, 'Tidemark: Apply All Pending Migrations');
    const shown = await until('every migration applied', async () => {
      const migrations = migrationRows(await rows(page));
      return migrations.length === migrationCount && migrations.every((r) => /^(applied|verified)\b/.test(r.description)) ? migrations : undefined;
    }, 120);
    if (!/by /.test(shown[0].description)) throw new Error(`no "by whom" in "${shown[0].description}"`);
    await screenshotTree(page, join(output, 'tree.png'));
  });

  await check('"Roll Back Last Migration" turns the last migration back to pending', async () => {
    await runCommand(page, 'Tidemark: Roll Back Last Migration');
    await until('the last migration pending', async () => {
      const migrations = migrationRows(await rows(page));
      const last = migrations[migrations.length - 1];
      return migrations.length === migrationCount && last.description === 'pending' && migrations.slice(0, -1).every((r) => /^(applied|verified)\b/.test(r.description));
    }, 120);
  });

  const newName = 'add_tenant_note';
  await check('"New Migration…" asks for a name, opens the new file and lists it as pending', async () => {
    await runCommand(page, 'Tidemark: New Migration…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(newName);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: newName }).waitFor({ timeout: 30_000 });
    await until('the new migration pending in the tree', async () => {
      const migrations = migrationRows(await rows(page));
      const last = migrations[migrations.length - 1];
      return migrations.length === migrationCount + 1 && last.label.endsWith(newName) && last.description === 'pending';
    }, 60);
  });

  await check('a failing statement is reported with an "Open" action that goes to its line', async () => {
    // Typed as a user would: a statement on the line after "-- migrate:up" (or at the top).
    const editor = page.locator('.editor-group-container.active .monaco-editor textarea').first();
    await editor.focus();
    await page.keyboard.press('Control+Home');
    const firstLine = await page.locator('.editor-group-container.active .view-line').first().innerText();
    if (/migrate:up/.test(firstLine)) {
      await page.keyboard.press('End');
      await page.keyboard.press('Enter');
    }
    await page.keyboard.type('ALTER TABLE no_such_table ADD COLUMN note text;');
    if (!/migrate:up/.test(firstLine)) await page.keyboard.press('Enter');
    await page.keyboard.press('Control+S');
    // Apply reads the file from disk: wait until the save has landed there.
    await until('the typed statement saved to disk', () => {
      const dir = join(workspace, 'migrations');
      const file = readdirSync(dir).find((f) => f.includes(newName) && !/^U\d|\.(down|verify)\.sql$/.test(f));
      return file && readFileSync(join(dir, file), 'utf8').includes('no_such_table');
    }, 30);
    await runCommand(page, 'Tidemark: Apply All Pending Migrations');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'no_such_table' }).first();
    await toast.waitFor({ timeout: 120_000 });
    const message = await toast.innerText();
    if (!/does not exist/.test(message)) throw new Error(`the notification does not give the server's reason: ${message}`);
    await page.screenshot({ path: join(output, 'apply-error.png') });
    // Another file first, so "Open" has to bring the failing one back.
    await quickOpen(page, flagged.file ?? 'tidemark.json');
    await toast.locator('.monaco-button', { hasText: 'Open' }).click();
    await page.locator('.tabs-container .tab.active', { hasText: newName }).waitFor({ timeout: 30_000 });
    const cursor = await page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText();
    const expectedLine = /migrate:up/.test(firstLine) ? 2 : 1;
    if (!cursor.includes(`Ln ${expectedLine},`)) throw new Error(`the cursor is at "${cursor}", not on line ${expectedLine} where the statement is`);
  });
}

/**
 * Workspace trust "limited": in a folder the user does not trust, linting still works, but the
 * database commands are gone from the palette and no environment is read (no connection made).
 */
export async function runRestrictedFlows({ page, base, workspace, flagged, output, record }) {
  const check = async (title, body) => {
    try {
      await body();
      record(`[restricted mode] ${title}`);
    } catch (err) {
      record(`[restricted mode] ${title}`, err);
      await page.screenshot({ path: join(output, `failure-restricted-${title.replace(/\W+/g, '-').slice(0, 50)}.png`) }).catch(() => {});
    }
  };
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  const distrust = page.locator('.monaco-dialog-box .monaco-button', { hasText: /No, I don.t trust/ }).first();
  await distrust.waitFor({ timeout: 60_000 });
  await distrust.click();

  await check('the tree lists the environments without reading them', async () => {
    const container = page.locator('.activitybar .action-item a[aria-label^="Tidemark"], .activitybar .action-item[aria-label^="Tidemark"]').first();
    await container.waitFor({ timeout: 90_000 });
    await container.click();
    await until('the sandbox row saying why it is not read', async () => {
      const sandbox = (await rows(page)).find((r) => r.label === 'sandbox');
      return sandbox && /Restricted Mode/.test(sandbox.description);
    }, 90);
  });

  await check('linting still works', async () => {
    if (!flagged.file) throw new Error('tidemark lint found nothing to show in this workspace');
    await quickOpen(page, flagged.file);
    await page.locator('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info').first().waitFor({ timeout: 90_000 });
  });

  await check('the palette offers no database command', async () => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('>Tidemark: ');
    // Commands that stay available say the palette is filtered, not empty.
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Tidemark: Refresh' }).first().waitFor({ timeout: 30_000 });
    const offered = await page.locator('.quick-input-list .monaco-list-row').allInnerTexts();
    const database = offered.filter((t) => /Apply All|Roll Back|Plan \(Dry Run\)|Verify|Show History|New Migration/.test(t));
    await page.keyboard.press('Escape');
    if (database.length) throw new Error(`offered in Restricted Mode: ${database.join(' | ')}`);
  });
}
