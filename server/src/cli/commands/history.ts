import type { HistoryEvent } from '../../protocol';
import { recentEvents } from '../../runner/status';
import { UsageError } from '../args';
import type { CliCommand } from '../command';
import { asCliErrors, openProject, requireTextOrJson } from '../runner-front';
import { COMMAND_SUMMARIES } from '../command-summaries';

const command: CliCommand = {
  name: 'history',
  summary: COMMAND_SUMMARIES.history,
  usage: [
    'tidemark history [--env NAME] [--limit N] [--format text|json] [--cwd DIR] [--config FILE]',
    '',
    'Who did what and when, from the events table (default: the last 50). adopt and mark events say what was',
    'recorded without running SQL, and why. JSON: [{version, kind, actor, clientHost, at, durationMs?, message?}].',
  ].join('\n'),
  flags: { limit: 'value' },
  async run(args, out) {
    const format = requireTextOrJson(args);
    const limitText = args.flags.get('limit');
    const limit = limitText === undefined ? 50 : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number of events, 1 or more, not "${String(limitText)}"`);
    const project = openProject(args);
    const events = await asCliErrors(() => recentEvents(project, args.common.env as string, limit));
    out.stdout(format === 'json' ? `${JSON.stringify(events, null, 2)}\n` : historyText(events));
    return 0;
  },
};
export default command;

function historyText(events: HistoryEvent[]): string {
  if (events.length === 0) return 'No events recorded yet.\n';
  return `${events
    .map(
      (e) =>
        `${e.at.replace('T', ' ').slice(0, 19)}  ${e.kind.padEnd(8)} ${e.version.padEnd(16)} ${e.actor}@${e.clientHost}${e.durationMs !== undefined ? ` ${e.durationMs} ms` : ''}${e.message ? `  ${e.message.replace(/\s+/g, ' ')}` : ''}`,
    )
    .join('\n')}\n`;
}
