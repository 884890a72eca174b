// Expand/contract in the workbench: "New Expand/Contract Change…" from the Command Palette (the
// kind picked, each argument typed and checked as it is typed, the phases written and opened), then
// the Status Matrix with the backfill waiting on its soak time in an environment on a real server.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checker, openTidemarkView, pickInQuickInput, rows, runCommand, until } from './ui-flows.mjs';

const PHASES = ['002_expand', '003_backfill', '004_contract'].map((p) => `${p}_rename_users_email_to_email_address.sql`);

/**
 * `workspace` has `sandbox`, `staging` (a PostgreSQL server) and a protected `production`, and one
 * migration, 001 (users). `applyWithCli(args)` runs `tidemark` there, as a team's earlier runs would.
 */
export async function runExpandContractFlows({ page, base, workspace, applyWithCli, output, record }) {
  const check = checker(page, output, record, 'expand-contract');
  await openTidemarkView(page, base, workspace);
  const input = page.locator('.quick-input-widget input');
  const answer = async (title, value) => {
    await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ timeout: 30_000 });
    await input.fill(value);
    await page.keyboard.press('Enter');
  };

  await check('"New Expand/Contract Change…" asks the kind and its arguments, names a bad one, writes the phases and opens them', async () => {
    await until('the environments in the tree', async () => (await rows(page)).some((r) => r.level === 1 && r.label === 'staging'), 90);
    await runCommand(page, 'Tidemark: New Expand/Contract Change…');
    await pickInQuickInput(page, 'New expand/contract change', 'Rename a column');
    await answer('Rename a column (1/3)', 'users');
    await answer('Rename a column (2/3)', 'email');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'Rename a column (3/3)' }).waitFor({ timeout: 30_000 });
    await input.fill('email address');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: '"email address" is not a plain SQL identifier' }).waitFor({ timeout: 10_000 });
    await input.fill('email_address');
    await page.keyboard.press('Enter');
    await until('the three phases on disk', () => PHASES.every((f) => existsSync(join(workspace, 'migrations', f))), 120);
    await until('the phases open in editors', async () => {
      const tabs = await page.locator('.tabs-container .tab .label-name').allInnerTexts();
      return PHASES.every((f) => tabs.some((t) => t.includes(f)));
    });
  });

  await check('the Status Matrix shows the backfill waiting on its soak time in staging', async () => {
    applyWithCli(['apply', '--env', 'sandbox']);
    applyWithCli(['apply', '--env', 'staging']);
    await runCommand(page, 'Tidemark: Refresh');
    await runCommand(page, 'Tidemark: Show Status Matrix');
    const matrix = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const cell = (version, environment) => matrix.locator(`tr[data-version="${version}"] td.cell[data-environment="${environment}"]`);
    await until('the backfill waiting in staging', async () => (await cell('003', 'staging').getAttribute('data-state', { timeout: 2_000 })) === 'waiting', 120);
    const states = await Promise.all(
      [
        ['002', 'staging'],
        ['004', 'sandbox'],
        ['002', 'production'],
      ].map(([v, e]) => cell(v, e).getAttribute('data-state')),
    );
    if (!/^(applied|verified) (applied|verified) pending$/.test(states.join(' '))) throw new Error(`002 staging, 004 sandbox, 002 production: ${states.join(', ')}`);
    const waiting = await cell('003', 'staging').innerText();
    if (!/soak until \d{4}-\d\d-\d\d \d\d:\d\d UTC/.test(waiting)) throw new Error(`the waiting cell does not say until when: "${waiting}"`);
    await page.screenshot({ path: join(output, 'expand-contract-matrix.png') });
  });
}
