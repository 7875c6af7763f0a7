/**
 * Writes a small IPv4-only MaxMind DB file (format version 2.0, 24-bit
 * records) for tests, so record layouts that no shipped test database has,
 * such as the flat DB-IP lite records, go through the real reader.
 * Supports strings, unsigned integers up to 32 bits, doubles, maps and
 * arrays: enough for location records and the metadata.
 */

type MmdbValue = string | number | boolean | MmdbValue[] | { [key: string]: MmdbValue };

export interface MmdbNetwork {
  /** An IPv4 network such as `203.0.113.0/24`. */
  network: string;
  record: { [key: string]: MmdbValue };
}

const METADATA_MARKER = Buffer.from([0xab, 0xcd, 0xef, ...Buffer.from('MaxMind.com')]);
const RECORD_BYTES = 3;

type Slot = { kind: 'empty' } | { kind: 'node'; index: number } | { kind: 'data'; offset: number };

export function writeMmdb(networks: MmdbNetwork[], databaseType = 'Test-City'): Buffer {
  const dataChunks: Buffer[] = [];
  let dataLength = 0;
  const nodes: [Slot, Slot][] = [[{ kind: 'empty' }, { kind: 'empty' }]];

  for (const { network, record } of networks) {
    const encoded = encodeValue(record);
    const offset = dataLength;
    dataChunks.push(encoded);
    dataLength += encoded.length;
    insertNetwork(nodes, network, offset);
  }

  const nodeCount = nodes.length;
  const tree = Buffer.alloc(nodeCount * 2 * RECORD_BYTES);
  nodes.forEach((node, index) => {
    node.forEach((slot, side) => {
      const value = slot.kind === 'node' ? slot.index : slot.kind === 'empty' ? nodeCount : nodeCount + 16 + slot.offset;
      tree.writeUIntBE(value, (index * 2 + side) * RECORD_BYTES, RECORD_BYTES);
    });
  });

  const metadata = encodeValue({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: databaseType,
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: 1_700_000_000,
    description: { en: 'trusted-devices test database' },
  });
  return Buffer.concat([tree, Buffer.alloc(16), ...dataChunks, METADATA_MARKER, metadata]);
}

function insertNetwork(nodes: [Slot, Slot][], network: string, offset: number): void {
  const [address, prefix] = network.split('/');
  const prefixLength = Number(prefix);
  const bits = address!.split('.').reduce((value, part) => (value << 8n) | BigInt(Number(part)), 0n);

  let nodeIndex = 0;
  for (let depth = 0; depth < prefixLength; depth++) {
    const side = (bits >> BigInt(31 - depth)) & 1n ? 1 : 0;
    const node = nodes[nodeIndex]!;
    if (depth === prefixLength - 1) {
      node[side] = { kind: 'data', offset };
      return;
    }
    const slot = node[side];
    if (slot.kind === 'node') {
      nodeIndex = slot.index;
    } else if (slot.kind === 'empty') {
      nodes.push([{ kind: 'empty' }, { kind: 'empty' }]);
      nodeIndex = nodes.length - 1;
      node[side] = { kind: 'node', index: nodeIndex };
    } else {
      throw new Error(`network ${network} overlaps a shorter one; list the longer networks only`);
    }
  }
}

function encodeValue(value: MmdbValue): Buffer {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([control(2, bytes.length), bytes]);
  }
  if (typeof value === 'boolean') return control(14, value ? 1 : 0);
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 0xffffffff) {
      const bytes = Buffer.alloc(4);
      bytes.writeUInt32BE(value);
      const trimmed = bytes.subarray(bytes.findIndex((byte) => byte !== 0) === -1 ? 4 : bytes.findIndex((byte) => byte !== 0));
      return Buffer.concat([control(6, trimmed.length), trimmed]);
    }
    const bytes = Buffer.alloc(8);
    bytes.writeDoubleBE(value);
    return Buffer.concat([control(3, 8), bytes]);
  }
  if (Array.isArray(value)) return Buffer.concat([control(11, value.length), ...value.map(encodeValue)]);
  const entries = Object.entries(value);
  return Buffer.concat([control(7, entries.length), ...entries.flatMap(([key, item]) => [encodeValue(key), encodeValue(item)])]);
}

/** The control byte (and extended type and size bytes) of a field. */
function control(type: number, size: number): Buffer {
  const bytes: number[] = [];
  let sizeBits: number;
  const sizeBytes: number[] = [];
  if (size < 29) {
    sizeBits = size;
  } else if (size < 285) {
    sizeBits = 29;
    sizeBytes.push(size - 29);
  } else {
    sizeBits = 30;
    sizeBytes.push(((size - 285) >> 8) & 0xff, (size - 285) & 0xff);
  }
  if (type <= 7) {
    bytes.push((type << 5) | sizeBits);
  } else {
    bytes.push(sizeBits, type - 7);
  }
  return Buffer.from([...bytes, ...sizeBytes]);
}
