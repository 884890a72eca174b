import type { Node } from '@pgsql/types';
import type { LintUnit, ParsedSection, Rule } from '../types';
import type { Statement } from '../../sql/statements';
import { bodyRange } from '../../sql/clauses';
import { lockStrength } from '../../sql/lock-modes';
import { lockEffects, type LockEffect } from '../../sql/locks';
import { transactionIncompatibility } from '../../sql/transaction';
import { indexCreatedEarlier, tableCreatedEarlier } from '../created-in-migration';
import { reversesUp } from '../reversal';

import type { AstNode } from '../../sql/ast';

// Locks from SHARE up block writes: waiting for one stalls every writer queued behind it.
const WRITE_BLOCKING = lockStrength('SHARE');

/**
 * A lock request waits behind every running transaction on the table, and every later query on
 * the table waits behind the request. Without lock_timeout one slow report query turns a
 * millisecond ALTER TABLE into an outage; with it the migration fails fast and can be retried.
 */
const rule: Rule = {
  id: 'require-lock-timeout',
  defaultSeverity: 'warning',
  summary: 'A migration that takes write-blocking locks on existing tables should set lock_timeout first.',
  lint(unit, report) {
    for (const section of [unit.up, unit.down]) {
      if (!section) continue;
      const transactional = runsInTransaction(unit, section);
      let timeoutSet = false;
      for (const statement of section.statementsWithEmbedded) {
        const setting = lockTimeoutSetting(statement.node, transactional);
        if (setting !== undefined) {
          timeoutSet = setting;
          continue;
        }
        if (timeoutSet) continue;
        // Dropping what the up created is the rollback doing its job; judging it would flag every rollback.
        if (section.kind === 'down' && reversesUp(unit, statement)) continue;
        const lock = lockEffects(statement.node).find((l) => lockStrength(l.mode) >= WRITE_BLOCKING && onExistingRelation(section, statement, l));
        if (!lock) continue;
        const eol = section.file.text.includes('\r\n') ? '\r\n' : '\n';
        // DROP INDEX / REINDEX INDEX name an index: the lock that stalls traffic is on its table.
        const onIndex = namesIndex(statement.node);
        const subject = onIndex ? `the table of index ${lock.relation}` : `existing ${lock.relation}`;
        const traffic = onIndex ? 'that table' : lock.relation;
        report({
          section,
          statement,
          ...bodyRange(statement),
          message: `This ${section.kind} section takes ${lock.mode} on ${subject} with no lock_timeout set before it: while the lock waits behind a long-running query, every ${lock.blocks.includes('reads') ? 'read and write' : 'write'} of ${traffic} queues behind it; start the section with SET lock_timeout = '5s' and retry when it times out (or set lockTimeout for the environment in tidemark.json and turn this rule off).`,
          fixes: [
            {
              title: `Set lock_timeout at the top of the ${section.kind} section`,
              preferred: true,
              edits: [{ start: section.offset, end: section.offset, newText: `SET lock_timeout = '5s';${eol}` }],
            },
          ],
        });
        // One finding per section: the fix is one setting for all of it.
        break;
      }
    }
  },
};

/** The runner wraps the section in a transaction unless told not to or it holds a statement that cannot run in one. */
function runsInTransaction(unit: LintUnit, section: ParsedSection): boolean {
  return !unit.noTransactionDirective && !section.statements.some((s) => transactionIncompatibility(s.node));
}

function namesIndex(node: Node | undefined): boolean {
  const n = node as AstNode | undefined;
  return n?.DropStmt?.removeType === 'OBJECT_INDEX' || n?.ReindexStmt?.kind === 'REINDEX_OBJECT_INDEX';
}

function onExistingRelation(section: ParsedSection, statement: Statement, lock: LockEffect): boolean {
  const parts = lock.relation.split('.');
  const name = parts.length > 1 ? { schema: parts[parts.length - 2], name: parts[parts.length - 1] } : { name: parts[0] };
  return !tableCreatedEarlier(section, statement, name) && !indexCreatedEarlier(section, statement, name);
}

/**
 * True when the statement sets a non-zero lock_timeout, false when it resets or disables it,
 * undefined when it does not touch it. SET LOCAL counts only inside the runner's transaction:
 * in autocommit it ends with its own statement.
 */
function lockTimeoutSetting(node: Node | undefined, transactional: boolean): boolean | undefined {
  const set = (node as AstNode | undefined)?.VariableSetStmt;
  if (set?.name === 'lock_timeout') {
    if (set.kind !== 'VAR_SET_VALUE') return false;
    if (set.is_local && !transactional) return undefined;
    return !isZero(set.args?.[0]);
  }
  const targets: AstNode[] = (node as AstNode | undefined)?.SelectStmt?.targetList ?? [];
  for (const target of targets) {
    const call = target?.ResTarget?.val?.FuncCall;
    const name = call?.funcname?.[call.funcname.length - 1]?.String?.sval;
    if (name !== 'set_config' || call.args?.[0]?.A_Const?.sval?.sval !== 'lock_timeout') continue;
    const local = call.args?.[2]?.A_Const?.boolval?.boolval === true;
    if (local && !transactional) return undefined;
    return !isZero(call.args?.[1]);
  }
  return undefined;
}

/** 0, '0', '0s', '0ms': PostgreSQL's "wait forever". */
function isZero(arg: AstNode | undefined): boolean {
  const constant = arg?.A_Const;
  if (!constant) return false;
  if (constant.ival) return !constant.ival.ival;
  const text: string | undefined = constant.sval?.sval;
  return text !== undefined && /^\s*0+(\.0*)?\s*(us|ms|s|min|h|d)?\s*$/i.test(text);
}
export default rule;
