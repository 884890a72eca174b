export { ensureParser } from '../../server/src/sql/parse';
export { parseStatements } from '../../server/src/sql/statements';
