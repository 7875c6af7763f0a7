/** Reads the first line of standard input, without its line ending. */
export async function readFirstLine(stream: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string | undefined> {
  if (stream.isTTY === true) return undefined;
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/, 1)[0];
  return line === '' ? undefined : line;
}
