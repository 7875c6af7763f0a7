import { randomUUID } from 'node:crypto';

import type { Kysely } from 'kysely';

import type { User, UserAdapter } from '../contracts.js';
import { StoreUnavailableError } from '../errors.js';
import type { Database } from '../store/database-schema.js';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, verifyPassword, type ScryptParams } from './password-hash.js';

export interface StoredUser extends User {
  username: string;
  createdAt: number;
}

/** Usernames: 1 to 150 characters without surrounding spaces or control characters, as Django allows. */
const USERNAME_MAX_LENGTH = 150;
const PASSWORD_MIN_LENGTH = 8;
const PASSWORD_MAX_LENGTH = 1024;

/**
 * The built-in users table of the standalone server: usernames with scrypt
 * password hashes. Hosts with their own user system pass their own
 * `UserAdapter` instead.
 */
export class SqlUserStore implements UserAdapter {
  readonly #db: Kysely<Database>;
  readonly #table: 'users';
  readonly #params: ScryptParams;
  /** Hash of a random password, checked for unknown usernames so both cases cost the same. */
  #decoyHash: Promise<string> | undefined;

  constructor(db: Kysely<Database>, options: { tablePrefix?: string; scrypt?: ScryptParams } = {}) {
    this.#db = db;
    this.#table = `${options.tablePrefix ?? ''}users` as 'users';
    this.#params = options.scrypt ?? DEFAULT_SCRYPT_PARAMS;
  }

  async verifyCredentials(username: string, password: string): Promise<User | null> {
    const row = await this.#read(() =>
      this.#db.selectFrom(this.#table).select(['id', 'password_hash', 'is_active']).where('username', '=', username).executeTakeFirst(),
    );
    if (row === undefined) {
      this.#decoyHash ??= hashPassword(randomUUID(), this.#params);
      await verifyPassword(password, await this.#decoyHash);
      return null;
    }
    const matches = await verifyPassword(password, row.password_hash);
    return matches ? { id: row.id, isActive: Boolean(row.is_active) } : null;
  }

  async findById(id: string): Promise<User | null> {
    const row = await this.#read(() => this.#db.selectFrom(this.#table).select(['id', 'is_active']).where('id', '=', id).executeTakeFirst());
    return row === undefined ? null : { id: row.id, isActive: Boolean(row.is_active) };
  }

  /** Creates a user. Throws a `TypeError` naming the problem for a bad username or password, or a taken username. */
  async createUser(username: string, password: string): Promise<StoredUser> {
    validateUsername(username);
    validatePassword(password);
    const existing = await this.#db.selectFrom(this.#table).select('id').where('username', '=', username).executeTakeFirst();
    if (existing !== undefined) throw new TypeError(`The username "${username}" is already taken. Choose another username.`);

    const user: StoredUser = { id: randomUUID(), username, isActive: true, createdAt: Date.now() };
    await this.#db
      .insertInto(this.#table)
      .values({
        id: user.id,
        username,
        password_hash: await hashPassword(password, this.#params),
        is_active: true,
        created_at: user.createdAt,
      })
      .execute();
    return user;
  }

  async findByUsername(username: string): Promise<StoredUser | undefined> {
    const row = await this.#db.selectFrom(this.#table).selectAll().where('username', '=', username).executeTakeFirst();
    if (row === undefined) return undefined;
    return { id: row.id, username: row.username, isActive: Boolean(row.is_active), createdAt: Number(row.created_at) };
  }

  async listUsers(): Promise<StoredUser[]> {
    const rows = await this.#db.selectFrom(this.#table).selectAll().orderBy('username').execute();
    return rows.map((row) => ({ id: row.id, username: row.username, isActive: Boolean(row.is_active), createdAt: Number(row.created_at) }));
  }

  /** Returns false when no user has this username. */
  async setActive(username: string, isActive: boolean): Promise<boolean> {
    const result = await this.#db.updateTable(this.#table).set({ is_active: isActive }).where('username', '=', username).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Returns false when no user has this username. */
  async setPassword(username: string, password: string): Promise<boolean> {
    validatePassword(password);
    const passwordHash = await hashPassword(password, this.#params);
    const result = await this.#db.updateTable(this.#table).set({ password_hash: passwordHash }).where('username', '=', username).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Returns the removed user's id, or undefined when no user has this username. */
  async deleteUser(username: string): Promise<string | undefined> {
    const user = await this.findByUsername(username);
    if (user === undefined) return undefined;
    await this.#db.deleteFrom(this.#table).where('id', '=', user.id).execute();
    return user.id;
  }

  async #read<T>(query: () => Promise<T>): Promise<T> {
    try {
      return await query();
    } catch (error) {
      throw new StoreUnavailableError(error);
    }
  }
}

function validateUsername(username: string): void {
  // eslint-disable-next-line no-control-regex
  if (username.length === 0 || username.length > USERNAME_MAX_LENGTH || username.trim() !== username || /[\u0000-\u001f\u007f]/.test(username)) {
    throw new TypeError(
      `Invalid username: use 1 to ${USERNAME_MAX_LENGTH} characters without surrounding spaces or control characters.`,
    );
  }
}

function validatePassword(password: string): void {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new TypeError(`Invalid password: use ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters.`);
  }
}
