import type { ColumnType } from 'kysely';

/** Booleans come back as 0/1 from SQLite and MySQL, and as booleans from PostgreSQL. */
type DbBoolean = ColumnType<boolean | number, boolean, boolean>;
/** PostgreSQL returns BIGINT as a string. */
type DbMillis = ColumnType<number | string, number, number>;

export interface TrustedDevicesTable {
  device_uid: string;
  user_id: string;
  name: string;
  user_agent: string;
  ip_address: string;
  last_ip: string;
  country: string;
  region: string;
  city: string;
  last_seen: DbMillis;
  created_at: DbMillis;
  can_update_other_devices: DbBoolean;
  can_delete_other_devices: DbBoolean;
  refresh_jti: string;
  previous_refresh_jti: string | null;
  refresh_issued_at: DbMillis;
}

export interface SignInsTable {
  id: string;
  user_id: string;
  device_uid: string | null;
  signed_in_at: DbMillis;
  outcome: string;
  ip_address: string;
  country: string;
  region: string;
  city: string;
  user_agent: string;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  is_active: DbBoolean;
  created_at: DbMillis;
}

/** Table names without the configured prefix; queries add it. */
export interface Database {
  trusted_devices: TrustedDevicesTable;
  trusted_device_sign_ins: SignInsTable;
  users: UsersTable;
}
