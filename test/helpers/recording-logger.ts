import type { Logger } from '../../src/contracts.js';

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string | undefined;
}

/** A logger that keeps every entry, for asserting what was logged and how often. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  debug(fields: object, message?: string): void {
    this.entries.push({ level: 'debug', fields: fields as Record<string, unknown>, message });
  }

  info(fields: object, message?: string): void {
    this.entries.push({ level: 'info', fields: fields as Record<string, unknown>, message });
  }

  warn(fields: object, message?: string): void {
    this.entries.push({ level: 'warn', fields: fields as Record<string, unknown>, message });
  }

  error(fields: object, message?: string): void {
    this.entries.push({ level: 'error', fields: fields as Record<string, unknown>, message });
  }
}
