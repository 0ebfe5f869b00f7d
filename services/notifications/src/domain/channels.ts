export const CHANNELS = ['EMAIL', 'SMS', 'PUSH'] as const;
export type Channel = (typeof CHANNELS)[number];

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** What a customer wants on one channel: their own choice when they made one, else the default. */
export function channelEnabled(
  channel: Channel,
  preferences: ReadonlyMap<string, boolean>,
  defaults: readonly Channel[],
): boolean {
  return preferences.get(channel) ?? defaults.includes(channel);
}
