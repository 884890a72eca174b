// What a user sees in the workbench: the Tidemark tree, the Problems panel, and the tree moving
// after "apply all pending" and "roll back" run from the Command Palette; the prompts a user answers
// (an environment's password, a protected environment's confirmation); Restricted Mode.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export const sidebarRows = '.part.sidebar .monaco-list-row';

/** The rendered tree rows in display order (the list may keep its row elements in another order). */
export async function rows(page) {
  const all = await page.$$eval(sidebarRows, (els) =>
    els.map((el) => ({
      label: el.querySelector('.label-name')?.textContent?.trim() ?? '',
      description: el.querySelector('.label-description')?.textContent?.trim() ?? '',
      level: Number(el.getAttribute('aria-level') ?? 0),
      index: Number(el.getAttribute('data-index') ?? 0),
    })),
  );
  return all.sort((a, b) => a.index - b.index);
}

export async function until(what, probe, seconds = 90) {
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

/**
 * A check: its title recorded as passed, or failed with a screenshot; no prompt is left open over
 * the next one. Failure screenshots are named after the flow and the check.
 */
export function checker(page, output, record, flow) {
  return async (title, body) => {
    try {
      await body();
      record(`[${flow}] ${title}`);
    } catch (err) {
      record(`[${flow}] ${title}`, err);
      await page.screenshot({ path: join(output, `failure-${flow}-${title.replace(/\W+/g, '-').slice(0, 50)}.png`) }).catch(() => {});
      for (let i = 0; i < 2; i++) await page.keyboard.press('Escape').catch(() => {});
    }
  };
}

export async function openTidemarkView(page, base, workspace) {
  await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  const container = page.locator('.activitybar .action-item a[aria-label^="Tidemark"], .activitybar .action-item[aria-label^="Tidemark"]').first();
  await container.waitFor({ timeout: 90_000 });
  await container.click();
}

export async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

export async function quickOpen(page, file) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(file);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: basename(file) })
    .first()
    .waitFor({ timeout: 30_000 });
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

/** An environment's migration rows: level 2 rows after its level-1 row, up to the next environment. */
export function migrationRows(all, environment = 'sandbox') {
  const start = all.findIndex((r) => r.level === 1 && r.label === environment);
  if (start < 0) return [];
  const rows = [];
  for (const row of all.slice(start + 1)) {
    if (row.level <= 1) break;
    rows.push(row);
  }
  return rows;
}

export async function runUiFlows({ page, base, workspace, flagged, expected, output, record }) {
  const check = checker(page, output, record, 'workbench');
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
    if (JSON.stringify(labels) !== JSON.stringify(expected.labels))
      throw new Error(`tree shows ${JSON.stringify(labels)}, tidemark status lists ${JSON.stringify(expected.labels)}`);
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
      await page
        .locator('.monaco-hover', { hasText: flagged.rule })
        .first()
        .waitFor({ timeout: 15_000 })
        .catch(() => {});
    }
    await page.screenshot({ path: join(output, 'diagnostic.png') });
    await page.mouse.move(1300, 850);
    await runCommand(page, 'View: Focus Problems');
    await until(
      'the finding in the Problems panel',
      async () => {
        const text = await page.locator('.markers-panel').innerText();
        return text.includes(flagged.rule) && text.includes(basename(flagged.file));
      },
      60,
    );
  });

  await check('"Apply All Pending Migrations" turns every migration in the tree to applied', async () => {
    await runCommand(page, 'Tidemark: Apply All Pending Migrations');
    const shown = await until(
      'every migration applied',
      async () => {
        const migrations = migrationRows(await rows(page));
        return migrations.length === migrationCount && migrations.every((r) => /^(applied|verified)\b/.test(r.description)) ? migrations : undefined;
      },
      120,
    );
    if (!/by /.test(shown[0].description)) throw new Error(`no "by whom" in "${shown[0].description}"`);
    await screenshotTree(page, join(output, 'tree.png'));
  });

  await check('"Roll Back Last Migration" turns the last migration back to pending', async () => {
    await runCommand(page, 'Tidemark: Roll Back Last Migration');
    await until(
      'the last migration pending',
      async () => {
        const migrations = migrationRows(await rows(page));
        const last = migrations[migrations.length - 1];
        return migrations.length === migrationCount && last.description === 'pending' && migrations.slice(0, -1).every((r) => /^(applied|verified)\b/.test(r.description));
      },
      120,
    );
  });

  const newName = 'add_tenant_note';
  await check('"New Migration…" asks for a name, opens the new file and lists it, blocked until its up section has SQL', async () => {
    await runCommand(page, 'Tidemark: New Migration…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(newName);
    await page.keyboard.press('Enter');
    await page.locator('.tabs-container .tab.active', { hasText: newName }).waitFor({ timeout: 30_000 });
    await until(
      'the new migration listed in the tree',
      async () => {
        const migrations = migrationRows(await rows(page));
        const last = migrations[migrations.length - 1];
        // An empty up section is never applied (nor recorded) silently: apply stops before it.
        return migrations.length === migrationCount + 1 && last.label.endsWith(newName) && last.description === 'blocked';
      },
      60,
    );
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
    await until(
      'the typed statement saved to disk',
      () => {
        const dir = join(workspace, 'migrations');
        const file = readdirSync(dir).find((f) => f.includes(newName) && !/^U\d|\.(down|verify)\.sql$/.test(f));
        return file && readFileSync(join(dir, file), 'utf8').includes('no_such_table');
      },
      30,
    );
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
    const cursor = await page
      .locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ })
      .first()
      .innerText();
    const expectedLine = /migrate:up/.test(firstLine) ? 2 : 1;
    if (!cursor.includes(`Ln ${expectedLine},`)) throw new Error(`the cursor is at "${cursor}", not on line ${expectedLine} where the statement is`);
  });

  await check('saving a migration replays it: the status bar says what the replay found and Problems lists replay-error', async () => {
    // The save above started the replay check (tidemark.check.onType is off: on save).
    const item = page.locator('.statusbar-item', { hasText: /Replay: (\d+ findings?|no problems)/ }).first();
    await item.waitFor({ timeout: 120_000 });
    const text = (await item.innerText()).trim();
    if (!/Replay: \d+ finding/.test(text)) throw new Error(`the status bar says "${text}" for a migration altering a table that does not exist`);
    await runCommand(page, 'View: Focus Problems');
    await until(
      'the replay finding in the Problems panel',
      async () => {
        const panel = await page.locator('.markers-panel').innerText();
        return panel.includes('replay-error') && panel.includes('no_such_table');
      },
      60,
    );
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
    await until(
      'the sandbox row saying why it is not read',
      async () => {
        const sandbox = (await rows(page)).find((r) => r.label === 'sandbox');
        return sandbox && /Restricted Mode/.test(sandbox.description);
      },
      90,
    );
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

/** The text of every file under `dir` (recursively) that contains `needle`, as paths. */
function filesContaining(dir, needle, found = []) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) filesContaining(path, needle, found);
    else if (entry.isFile()) {
      let bytes;
      try {
        bytes = readFileSync(path);
      } catch {
        continue; // a live database file that went away while the folder was read
      }
      if (bytes.includes(needle)) found.push(path);
    }
  }
  return found;
}

/** The extension's Output channel as written to disk: every window's Tidemark.log, concatenated. */
function extensionLog(userData) {
  const logs = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('Tidemark.log')) logs.push(readFileSync(path, 'utf8'));
    }
  };
  walk(join(userData, 'logs'));
  return logs.join('\n');
}

const occurrences = (text, needle) => text.split(needle).length - 1;

/** Clicks an inline action (by its title) on an environment's migration row, as a user hovering it would. */
/**
 * Clicks a row's inline action and waits for `outcome` (a locator). When the tree is redrawn
 * between hover and click (a status arriving), VS Code runs the command without its row and the
 * command asks which environment instead: that prompt is dismissed and the click made again, once.
 */
async function migrationRowAction(page, environment, label, action, outcome) {
  const environmentPicker = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Tidemark environment' });
  for (let attempt = 1; ; attempt++) {
    const all = await rows(page);
    const start = all.findIndex((r) => r.level === 1 && r.label === environment);
    const row = start < 0 ? undefined : all.slice(start + 1).find((r) => r.label === label);
    if (!row) throw new Error(`no row "${label}" under ${environment} in the tree: ${JSON.stringify(all.map((r) => r.label))}`);
    const element = page.locator(`${sidebarRows}[data-index="${row.index}"]`);
    await element.hover();
    await element.locator(`.action-label[aria-label^="${action}"]`).click();
    const seen = await until(
      `${action} on ${label} to open its dialog`,
      async () => ((await outcome.isVisible()) ? 'outcome' : (await environmentPicker.isVisible()) ? 'picker' : undefined),
      30,
    );
    if (seen === 'outcome') return;
    if (attempt === 2) throw new Error(`${action} on ${label} ran without its row twice (asked for the environment)`);
    await page.keyboard.press('Escape');
    await environmentPicker.waitFor({ state: 'hidden', timeout: 10_000 });
  }
}

export async function pickInQuickInput(page, title, choice) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
  await page.locator('.quick-input-widget input').fill(choice);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: choice }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/**
 * The prompts a user answers: the password of a PostgreSQL environment whose password is in no
 * file (typed into VS Code's password box, kept in its secret storage), and the modal
 * confirmation before a protected environment is changed. `workspace` has two environments:
 * `secured` on `postgres` (a real server with password authentication) and `guarded`, a
 * protected PGlite sandbox.
 */
export async function runPromptFlows({ page, base, workspace, expected, postgres, historySchema, userData, serverLog, output, record }) {
  const check = checker(page, output, record, 'prompts');
  const migrationCount = expected.labels.length;
  const wrongPassword = `not-${postgres.password}`;
  const target = `${postgres.user}@${postgres.host}:${postgres.port}/${postgres.database}`;
  const passwordBox = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: 'Password for secured' }) });
  const states = async (environment) => migrationRows(await rows(page), environment).map((r) => r.description.split(' ')[0]);
  const applied = (state) => state === 'applied' || state === 'verified';

  await openTidemarkView(page, base, workspace);

  await check('reading an environment whose password is in no file asks for it in a password box naming the server', async () => {
    await passwordBox.waitFor({ state: 'visible', timeout: 90_000 });
    const input = passwordBox.locator('input');
    const type = await input.getAttribute('type');
    if (type !== 'password') throw new Error(`the input shows what is typed (type="${type}")`);
    const message = await passwordBox.innerText();
    if (!message.includes(target)) throw new Error(`the prompt does not name ${target}: ${message}`);
    await input.fill(wrongPassword);
    await page.screenshot({ path: join(output, 'password-prompt.png') });
    await page.keyboard.press('Enter');
  });

  await check('a wrong password is reported as rejected and forgotten, and the next attempt asks again', async () => {
    const warning = page.locator('.notifications-toasts .notification-toast', { hasText: 'password for secured was rejected' }).first();
    await warning.waitFor({ timeout: 60_000 });
    const text = await warning.innerText();
    if (!/forgotten/.test(text)) throw new Error(`the warning does not say the password was forgotten: ${text}`);
    if (text.includes(wrongPassword)) throw new Error(`the warning shows the password: ${text}`);
    await runCommand(page, 'Tidemark: Refresh');
    await passwordBox.waitFor({ state: 'visible', timeout: 60_000 });
  });

  await check('the right password reads the environment: every migration pending on the server', async () => {
    if (!(await passwordBox.isVisible())) {
      await runCommand(page, 'Tidemark: Refresh');
      await passwordBox.waitFor({ state: 'visible', timeout: 60_000 });
    }
    await passwordBox.locator('input').fill(postgres.password);
    await page.keyboard.press('Enter');
    await until(
      'the secured environment with its migrations pending',
      async () => {
        const shown = await states('secured');
        return shown.length === migrationCount && shown.every((s) => s === 'pending');
      },
      90,
    );
  });

  await check('"Apply All Pending Migrations" on it uses the stored password: no prompt, the server has every migration', async () => {
    await runCommand(page, 'Tidemark: Apply All Pending Migrations');
    await pickInQuickInput(page, 'Tidemark environment', 'secured');
    await until(
      'every secured migration applied',
      async () => {
        if (await passwordBox.isVisible()) throw new Error('asked for the password again');
        const shown = await states('secured');
        return shown.length === migrationCount && shown.every(applied);
      },
      120,
    );
    const {
      rows: [{ count }],
    } = await postgres.query(`SELECT count(*)::int AS count FROM ${historySchema}.migrations`);
    if (count !== migrationCount) throw new Error(`${historySchema}.migrations holds ${count} rows on the server, not ${migrationCount}`);
  });

  // code-server keeps extension secrets in the browser's storage, encrypted with a key from the
  // server: the password belongs in no file of the profile (home, user data with its settings,
  // state databases and logs, extensions) and none of the workspace.
  await check('the password is in no file of the code-server profile (settings, state, logs), the workspace or the server output', async () => {
    const leaks = [];
    const profile = dirname(userData);
    // The search itself must see the files: it finds a setting written there.
    if (!filesContaining(profile, 'tidemark.activeEnvironment').some((path) => path.endsWith('settings.json'))) throw new Error('the search did not read the settings file');
    for (const secret of [postgres.password, wrongPassword]) {
      const where = [...filesContaining(profile, secret), ...filesContaining(workspace, secret), ...(serverLog().includes(secret) ? ['code-server output'] : [])];
      if (where.length) leaks.push(`${secret === wrongPassword ? 'the wrong' : 'the right'} password in ${where.join(', ')}`);
    }
    if (!/stored a password for secured/.test(extensionLog(userData))) throw new Error('the Output channel log was not found (nothing to search)');
    if (leaks.length) throw new Error(leaks.join('; '));
  });

  const upTo = expected.labels[Math.min(2, migrationCount - 1)];
  const upToVersion = upTo.split(' ')[0];
  const modal = page.locator('.monaco-dialog-box');
  const cancelledCount = () => occurrences(extensionLog(userData), ': cancelled');

  await check(`applying to the protected environment asks in a modal dialog naming it and the target (${upToVersion}); Cancel changes nothing`, async () => {
    const before = await until(
      'the guarded environment with its migrations pending',
      async () => {
        const shown = await states('guarded');
        return shown.length === migrationCount && shown.every((s) => s === 'pending') ? shown : undefined;
      },
      60,
    );
    await migrationRowAction(page, 'guarded', upTo, 'Apply Up To This Migration', modal);
    const text = await modal.innerText();
    if (!text.includes('protected environment "guarded"') || !text.includes(`to ${upToVersion}`)) throw new Error(`the dialog says: ${text}`);
    if (!(await page.locator('.monaco-dialog-modal-block').count())) throw new Error('the dialog is not modal');
    await page.screenshot({ path: join(output, 'protected-confirm.png') });
    const cancelled = cancelledCount();
    await modal.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await until('the extension to log the command as cancelled', async () => cancelledCount() > cancelled, 30);
    if (await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Confirm' }).isVisible()) throw new Error('asked for the name after Cancel');
    const after = await states('guarded');
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`the tree changed after Cancel: ${JSON.stringify(after)}`);
    const failure = page.locator('.notifications-toasts .notification-toast', { hasText: 'guarded' });
    if (await failure.count()) throw new Error(`a notification after Cancel: ${await failure.first().innerText()}`);
  });

  await check(`confirming (Continue…, then typing its name) applies the protected environment up to ${upToVersion}`, async () => {
    await migrationRowAction(page, 'guarded', upTo, 'Apply Up To This Migration', modal);
    await modal.locator('.monaco-button', { hasText: 'Continue' }).click();
    const confirmBox = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: 'Confirm' }) });
    await confirmBox.waitFor({ state: 'visible', timeout: 30_000 });
    // A name that is not quite right is refused in place.
    await confirmBox.locator('input').fill('guarde');
    await confirmBox.locator('.quick-input-message', { hasText: 'exactly: guarded' }).waitFor({ timeout: 10_000 });
    await confirmBox.locator('input').fill('guarded');
    await page.keyboard.press('Enter');
    const count = expected.labels.indexOf(upTo) + 1;
    await until(
      `the first ${count} guarded migrations applied, the rest pending`,
      async () => {
        const shown = await states('guarded');
        return shown.length === migrationCount && shown.every((s, i) => (i < count ? applied(s) : s === 'pending'));
      },
      120,
    );
  });

  await check('rolling back the protected environment asks too; Cancel changes nothing', async () => {
    const before = await states('guarded');
    const cancelled = cancelledCount();
    await runCommand(page, 'Tidemark: Roll Back Last Migration');
    await pickInQuickInput(page, 'Tidemark environment', 'guarded');
    await modal.waitFor({ state: 'visible', timeout: 30_000 });
    const text = await modal.innerText();
    if (!text.includes('Roll back the protected environment "guarded"')) throw new Error(`the dialog says: ${text}`);
    await modal.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await until('the extension to log the command as cancelled', async () => cancelledCount() > cancelled, 30);
    const after = await states('guarded');
    if (JSON.stringify(after) !== JSON.stringify(before)) throw new Error(`the tree changed after Cancel: ${JSON.stringify(after)}`);
  });
}

/**
 * A database migrated before Tidemark: `workspace` has one environment, `legacy`, a PGlite sandbox
 * holding a table and Flyway's flyway_schema_history listing the first two migrations (`adopted`). The
 * tree says so on the environment row; "Adopt…" shows the rows a dry run would record, and
 * recording them leaves exactly those applied and the rest pending — nothing ran.
 */
export async function runAdoptFlows({ page, base, workspace, expected, adopted, output, record }) {
  const check = checker(page, output, record, 'adopt');
  const states = async () => migrationRows(await rows(page), 'legacy').map((r) => r.description.split(' ')[0]);
  const found = "not tracked by Tidemark yet; flyway's public.flyway_schema_history is not the history of these dbmate files: reported, not read as their state; 1 table exists";
  await openTidemarkView(page, base, workspace);

  await check('an untracked environment says what it holds on its row, and offers Adopt instead of Apply', async () => {
    await until(
      'the legacy environment row naming what it found',
      // The row names the folder's layout and size first ("dbmate · 11 migrations"), then what the database holds.
      async () => (await rows(page)).some((r) => r.level === 1 && r.label === 'legacy' && r.description === `dbmate · ${expected.labels.length} migrations · ${found}`),
      90,
    );
    const row = page.locator(sidebarRows, { hasText: 'legacy' }).first();
    await row.hover();
    await row.locator('.action-label[aria-label^="Adopt Existing Database"]').waitFor({ timeout: 10_000 });
    if (await row.locator('.action-label[aria-label^="Apply All Pending"]').count()) throw new Error('Apply All is offered on an untracked environment');
    await screenshotTree(page, join(output, 'adopt-untracked.png'));
  });

  await check(`Adopt… previews the rows, then records ${adopted.join(' and ')} as applied without running them; the rest stay pending`, async () => {
    await runCommand(page, 'Tidemark: Adopt Existing Database');
    await pickInQuickInput(page, 'Adopt legacy: what does it already have?', "Import flyway's");
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Adopt legacy: preview' }).waitFor({ timeout: 60_000 });
    const listed = await page.locator('.quick-input-list').innerText();
    for (const version of adopted) if (!listed.includes(version)) throw new Error(`the preview does not list ${version}: ${listed}`);
    await page.screenshot({ path: join(output, 'adopt-preview.png') });
    if ((await states()).some((s) => s !== 'pending')) throw new Error('the preview recorded something');
    await pickInQuickInput(page, 'Adopt legacy: preview', `Record ${adopted.length} migrations`);
    await until(
      'the adopted migrations applied and the rest pending',
      async () => {
        const shown = await states();
        return shown.length === expected.labels.length && shown.every((s, i) => (i < adopted.length ? s === 'applied' : s === 'pending'));
      },
      90,
    );
    await until(
      'the environment row no longer untracked',
      async () => (await rows(page)).some((r) => r.level === 1 && r.label === 'legacy' && !r.description.startsWith('not tracked')),
      30,
    );
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'without running them' }).first();
    await toast.waitFor({ timeout: 30_000 });
  });
}

/**
 * The Status Matrix: `workspace` has three sandbox environments — sandbox (everything it can take
 * applied), staging (only 001 applied) and a protected production — a blocked migration and one
 * meant for production only. The page shows each cell's state and the blocked reason; a cell's
 * "Apply up to here" moves that environment, and the page follows as the tree does.
 */
export async function runStatusMatrixFlows({ page, base, workspace, output, record }) {
  const check = checker(page, output, record, 'matrix');
  await openTidemarkView(page, base, workspace);
  // The page sits in two nested iframes: the webview's host frame and its content frame.
  const matrix = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const cell = (version, environment) => matrix.locator(`tr[data-version="${version}"] td.cell[data-environment="${environment}"]`);

  await check('"Show Status Matrix" opens migrations × environments with each state and the blocked reason', async () => {
    await until('the environments in the tree', async () => (await rows(page)).some((r) => r.level === 1 && r.label === 'production'), 90);
    await runCommand(page, 'Tidemark: Show Status Matrix');
    await until(
      'every environment read in the matrix',
      async () => {
        const states = await Promise.all([cell('001', 'sandbox'), cell('002', 'staging'), cell('003', 'production')].map((c) => c.getAttribute('data-state', { timeout: 2_000 })));
        return states.join(' ') === 'verified pending blocked';
      },
      120,
    );
    const expected = {
      '001 sandbox': 'verified',
      '002 sandbox': 'applied',
      '003 sandbox': 'blocked',
      '004 sandbox': 'not-for-this-environment',
      '004 production': 'pending',
      '001 staging': 'verified',
    };
    for (const [key, state] of Object.entries(expected)) {
      const [version, environment] = key.split(' ');
      const shown = await cell(version, environment).getAttribute('data-state');
      if (shown !== state) throw new Error(`${version} in ${environment} is "${shown}", expected ${state}`);
    }
    const notes = await matrix.locator('tr[data-version="003"] td.notes').innerText();
    if (!notes.includes('Blocked: waiting for the billing team to sign off')) throw new Error(`the blocked reason is not in the notes: "${notes}"`);
    const header = await matrix.locator('thead').innerText();
    if (!/production\s*protected/.test(header)) throw new Error(`production is not marked protected: "${header}"`);
    await page.screenshot({ path: join(output, 'status-matrix.png') });
  });

  await check('a cell\'s "Apply up to here" applies that migration in that environment, and the matrix and tree follow', async () => {
    await cell('002', 'staging').locator('button', { hasText: 'Apply up to here' }).click();
    await until(
      '002 applied in staging in the matrix',
      async () => /^(applied|verified)$/.test((await cell('002', 'staging').getAttribute('data-state', { timeout: 2_000 })) ?? ''),
      120,
    );
    await until(
      '002 applied in staging in the tree',
      async () => migrationRows(await rows(page), 'staging').some((r) => r.label.startsWith('002') && /^(applied|verified)\b/.test(r.description)),
      60,
    );
    const blocked = await cell('003', 'staging').getAttribute('data-state');
    if (blocked !== 'blocked') throw new Error(`apply went past the blocked migration: 003 in staging is ${blocked}`);
  });
}

export { screenshotTree };
