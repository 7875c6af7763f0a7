import { UAParser } from 'ua-parser-js';

/** Longest user agent stored; real ones are a few hundred characters. */
export const USER_AGENT_MAX_LENGTH = 1024;
const NAME_MAX_LENGTH = 255;

/** Names a device for people, such as "Chrome on macOS", from its user agent. */
export function deviceNameFromUserAgent(userAgent: string): string {
  if (userAgent === '') return 'Unknown device';
  const result = new UAParser(userAgent).getResult();
  const browser = result.browser.name;
  const os = result.os.name;
  const model = result.device.model;

  let name: string;
  if (browser !== undefined && os !== undefined) name = `${browser} on ${os}`;
  else if (browser !== undefined) name = browser;
  else if (os !== undefined) name = model === undefined ? os : `${model} (${os})`;
  else name = userAgent.split(/[\s/]/, 1)[0] || 'Unknown device';
  return name.slice(0, NAME_MAX_LENGTH);
}
