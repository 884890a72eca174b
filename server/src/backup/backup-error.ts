import { RunnerInputError } from '../database/environments';

/** The backup could not be made; the apply or rollback stops before any change. */
export class BackupError extends RunnerInputError {}
