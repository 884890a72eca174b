/**
 * The Status Matrix page as HTML: one row per migration and a column per environment, each cell's
 * state with its colour from the states table, the buttons a cell offers, notes and unreachable
 * environments, and everything from files or servers escaped.
 */
import assert from 'node:assert/strict';
import { cellActions, renderStatusMatrix } from '../../../client/src/status-matrix-html';
import { statusMatrix } from '../../../server/src/status-document/matrix';
import { environment, migration } from './fixtures';

const page = { nonce: 'n0nce', cspSource: 'vscode-webview://x' };

function cellOf(html: string, version: string, env: string): string {
  const row = new RegExp(`<tr data-version="${version}">([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? '';
  return new RegExp(`<td class="cell[^"]*" data-environment="${env}"[^>]*>([\\s\\S]*?)</td>`).exec(row)?.[0] ?? '';
}

const actionsIn = (cell: string) => [...cell.matchAll(/<button[^>]*>([^<]*)<\/button>/g)].map((m) => m[1]);

describe('status matrix page', () => {
  const sandbox = environment('sandbox', [
    migration('001', 'users', 'verified', { appliedAt: '2026-12-01T10:00:00Z', appliedBy: 'ada', hasVerify: true }),
    migration('002', 'orders', 'applied', { appliedAt: '2026-12-02T11:30:00Z', appliedBy: 'bob' }),
    migration('003', 'billing', 'blocked', { blockedReasons: ['waiting for the billing team', 'needs the new index'] }),
    migration('004', 'register_prod', 'not-for-this-environment', { environments: ['production'] }),
  ]);
  const production = environment(
    'production',
    [
      migration('001', 'users', 'applied', { appliedAt: '2026-12-03T09:00:00Z', appliedBy: 'deploy', hasVerify: true }),
      migration('002', 'orders', 'pending'),
      migration('003', 'billing', 'blocked', { blockedReasons: ['waiting for the billing team', 'needs the new index'] }),
      migration('004', 'register_prod', 'pending', { environments: ['production'] }),
    ],
    { protected: true },
  );
  const staging = environment('staging', [], {}, 'cannot connect to staging (deploy@staging.internal:5432/app): connection refused');

  it('draws a row per migration and a column per environment, each cell with its state, when, who and its colour', () => {
    const html = renderStatusMatrix([{ root: '/proj', label: 'proj', environments: [sandbox, production, staging] }], page);
    assert.deepEqual(
      [...html.matchAll(/<tr data-version="([^"]+)">/g)].map((m) => m[1]),
      ['001', '002', '003', '004'],
    );
    assert.deepEqual(
      [...html.matchAll(/<th scope="col" data-environment="([^"]+)">/g)].map((m) => m[1]),
      ['sandbox', 'production', 'staging'],
    );
    assert.match(html, /production <span class="tag">protected<\/span>/);
    const verified = cellOf(html, '001', 'sandbox');
    assert.match(verified, /data-state="verified"/);
    assert.match(verified, /<span class="dot"><\/span>verified<\/div><div class="detail">2026-12-01 10:00 UTC · by ada<\/div>/);
    assert.match(html, /\.cell\[data-state="verified"\] \{ --state-color: var\(--vscode-testing-iconPassed\); \}/);
    assert.match(html, /\.cell\[data-state="blocked"\] \{ --state-color: var\(--vscode-charts-red\); \}/);
    assert.match(cellOf(html, '004', 'sandbox'), /not for this environment/);
    assert.match(cellOf(html, '002', 'staging'), />unreachable</);
    assert.match(html, /<li>staging could not be read: cannot connect to staging/);
    assert.match(html, /<td class="notes"><div>Blocked: waiting for the billing team; needs the new index<\/div><\/td>/);
    assert.match(html, /<div>Only for production<\/div>/);
  });

  it('offers in each cell what can be done there: apply up to a pending one, verify what ran with a verify section, roll back to one with newer ones applied', () => {
    const html = renderStatusMatrix([{ root: '/proj', label: 'proj', environments: [sandbox, production] }], page);
    assert.deepEqual(actionsIn(cellOf(html, '001', 'sandbox')), ['Verify', 'Roll back to here']);
    assert.deepEqual(actionsIn(cellOf(html, '002', 'sandbox')), [], 'the newest applied: nothing newer to roll back, no verify section');
    assert.deepEqual(actionsIn(cellOf(html, '003', 'sandbox')), [], 'blocked: apply stops before it');
    assert.deepEqual(actionsIn(cellOf(html, '004', 'sandbox')), [], 'not for this environment');
    assert.deepEqual(actionsIn(cellOf(html, '001', 'production')), ['Verify']);
    assert.deepEqual(actionsIn(cellOf(html, '002', 'production')), ['Apply up to here']);
    const matrix = statusMatrix([sandbox, production]);
    assert.deepEqual(cellActions('/proj', production, matrix.rows[1], 1, matrix.rows), [{ command: 'tidemark.applyTo', root: '/proj', environment: 'production', version: '002' }]);
    const button = /<button type="button" data-action="([^"]+)">Apply up to here<\/button>/.exec(cellOf(html, '002', 'production'))![1];
    assert.deepEqual(JSON.parse(button.replace(/&quot;/g, '"')), { command: 'tidemark.applyTo', root: '/proj', environment: 'production', version: '002' });
  });

  it('escapes names, reasons and errors; locks the page down to its own nonce', () => {
    const hostile = environment('sandbox', [migration('001', '<img src=x onerror=alert(1)>', 'blocked', { blockedReasons: ['"quoted" & <b>bold</b>'] })]);
    const html = renderStatusMatrix(
      [
        { root: '/p', label: 'p', environments: [hostile] },
        { root: '/q', label: 'q', environments: [], error: 'tidemark.json:3: <bad>' },
      ],
      page,
    );
    assert.ok(!html.includes('<img'), 'no markup from a migration name');
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(html, /Blocked: &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;\/b&gt;/);
    assert.match(html, /<p class="error">tidemark\.json:3: &lt;bad&gt;<\/p>/);
    assert.match(html, /content="default-src 'none'; style-src vscode-webview:\/\/x 'nonce-n0nce'; script-src 'nonce-n0nce';"/);
    assert.equal([...html.matchAll(/<script nonce="n0nce">/g)].length, 1);
    assert.match(renderStatusMatrix([], page), /No Tidemark project in this workspace/);
  });
});
