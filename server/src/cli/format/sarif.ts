/**
 * `--format sarif`: SARIF 2.1.0 as GitHub code scanning accepts it (one run, the rules with their
 * summaries and docs pages, results with regions relative to the checkout root).
 */
import type { Rule, Severity } from '../../lint/types';
import type { LintReport } from './located';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/tidemark-dev/tidemark';

function level(severity: Severity): 'error' | 'warning' | 'note' {
  return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

export function formatSarif(report: LintReport, rules: ReadonlyArray<Pick<Rule, 'id' | 'summary' | 'defaultSeverity'>>, docsBase: string, version: string): string {
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tidemark',
            informationUri: INFORMATION_URI,
            version,
            rules: rules.map((rule) => ({
              id: rule.id,
              name: rule.id,
              shortDescription: { text: rule.summary },
              helpUri: `${docsBase}${rule.id}.md`,
              defaultConfiguration: { level: level(rule.defaultSeverity) },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((f) => ({
          ruleId: f.rule,
          ...(ruleIndex.has(f.rule) ? { ruleIndex: ruleIndex.get(f.rule) } : {}),
          level: level(f.severity),
          message: { text: f.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: encodeURI(f.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
              },
            },
          ],
        })),
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
