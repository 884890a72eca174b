// An environment managed by another migration tool, as a team that keeps dbmate sees it in the
// workbench: the tree names the tool on the environment's row and shows each migration's state read
// from dbmate's own schema_migrations; the Status Matrix shows the same cells. And `Mark as Not
// Applied…` of a migration whose objects still exist: the CLI's warning is the editor's warning
// notification.
import { dirname, join } from 'node:path';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { checker, migrationRows, openTidemarkView, rows, runCommand, screenshotTree, sidebarRows, until } from './ui-flows.mjs';

const FILES = {
  'migrations/001_users.sql': '-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE users;\n',
  'migrations/002_orders.sql': '-- migrate:up\nCREATE TABLE orders (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE orders;\n',
  'migrations/003_invoices.sql': '-- migrate:up\nCREATE TABLE invoices (id bigint PRIMARY KEY);\n-- migrate:down\nDROP TABLE invoices;\n',
};

/**
 * Two PGlite environments: `legacy`, migrated by dbmate up to 002 (its schema_migrations and the
 * tables, as dbmate leaves them), and `sandbox`, where Tidemark applied everything (with the CLI).
 */
export async function managedWorkspace(work, repo, run) {
  const workspace = join(work, 'workspace-managed');
  rmSync(workspace, { recursive: true, force: true });
  const files = {
    ...FILES,
    'tidemark.json': JSON.stringify({ environments: { legacy: { sandbox: true, path: '.tidemark/legacy' }, sandbox: { sandbox: true } } }, null, 2),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, rel)), { recursive: true });
    writeFileSync(join(workspace, rel), text);
  }
  const { PGlite } = await import('@electric-sql/pglite');
  mkdirSync(join(workspace, '.tidemark'), { recursive: true });
  const db = new PGlite(join(workspace, '.tidemark', 'legacy'));
  // dbmate's table (pkg/driver/postgres CreateMigrationsTable) and what its two migrations made.
  await db.exec(
    "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY); INSERT INTO schema_migrations VALUES ('001'), ('002'); CREATE TABLE users (id bigint PRIMARY KEY); CREATE TABLE orders (id bigint PRIMARY KEY);",
  );
  await db.close();
  run(process.execPath, [join(repo, 'dist', 'cli.js'), 'apply', '--env', 'sandbox'], { cwd: workspace });
  return workspace;
}

export async function runManagedFlows({ page, base, workspace, output, record }) {
  const check = checker(page, output, record, 'managed');
  const states = async (environment) => migrationRows(await rows(page), environment).map((r) => `${r.label.split(' ')[0]} ${r.description.split(' ')[0]}`);
  await openTidemarkView(page, base, workspace);

  await check("the tree names dbmate on the environment it manages, with each migration's state from dbmate's table", async () => {
    const env = await until(
      'the legacy environment row',
      async () => (await rows(page)).find((r) => r.level === 1 && r.label === 'legacy' && r.description.includes('managed by dbmate')),
      120,
    );
    if (!env) throw new Error('no legacy row');
    await until('legacy: 001 and 002 applied, 003 pending', async () => (await states('legacy')).join(', ') === '001 applied, 002 applied, 003 pending', 60);
    await screenshotTree(page, join(output, 'managed-tree.png'));
  });

  await check('the Status Matrix shows the same states for the managed environment', async () => {
    const matrix = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    const cell = (version) => matrix.locator(`tr[data-version="${version}"] td.cell[data-environment="legacy"]`);
    await runCommand(page, 'Tidemark: Show Status Matrix');
    await until(
      'the legacy cells',
      async () => (await Promise.all(['001', '002', '003'].map((v) => cell(v).getAttribute('data-state', { timeout: 2_000 })))).join(' ') === 'applied applied pending',
      120,
    );
    await page.screenshot({ path: join(output, 'managed-matrix.png') });
  });

  await check('Mark as Not Applied of a migration whose table still exists shows the warning as a warning notification', async () => {
    // The command is on a migration row's context menu (not in the Command Palette).
    const row = migrationRows(await rows(page), 'sandbox').find((r) => r.label.startsWith('003'));
    if (!row) throw new Error('no 003 row under sandbox');
    await page.locator(`${sidebarRows}[data-index="${row.index}"]`).click({ button: 'right' });
    const menuItem = page.locator('.monaco-menu .action-item', { hasText: 'Mark as Not Applied' }).first();
    const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Mark 003 as not applied in sandbox' });
    await menuItem.click();
    // A click that lands while the context menu is still settling only highlights the item: choose it with Enter then.
    await title.waitFor({ timeout: 5_000 }).catch(async () => {
      if (await menuItem.isVisible()) await page.keyboard.press('Enter');
    });
    await title.waitFor({ timeout: 30_000 });
    await page.locator('.quick-input-widget input').fill('testing the warning');
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-toast', { hasText: 'created objects that still exist in sandbox' }).first();
    await toast.waitFor({ timeout: 60_000 });
    const text = await toast.innerText();
    if (!/invoices/.test(text) || !/tidemark rollback --env sandbox/.test(text)) throw new Error(`the warning does not name the table and the rollback: ${text}`);
    if (!(await toast.locator('.codicon-warning, .codicon-notifications-warning').count())) throw new Error('the notification is not a warning');
    await page.screenshot({ path: join(output, 'mark-pending-warning.png') });
    await until('003 pending in sandbox', async () => (await states('sandbox')).includes('003 pending'), 60);
  });
}
