import { describe, expect, it } from 'vitest';
import { parseServerSentBlock, serverSentBlocks } from './sse-client.js';

function body(...chunks: string[]) {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
        controller.close();
      },
    }),
  ).body!;
}

describe('server-sent events', () => {
  it('reads the fields of a block, skipping comments, and joins its data lines', () => {
    expect(
      parseServerSentBlock(': heartbeat\nid: 7\nevent: status\ndata: {"a":\ndata: 1}\nretry: 50'),
    ).toEqual({
      id: '7',
      event: 'status',
      data: '{"a":\n1}',
      retry: 50,
    });
    expect(parseServerSentBlock(': heartbeat')).toEqual({
      id: null,
      event: 'message',
      data: null,
      retry: null,
    });
  });

  it('splits a body into blocks across chunks and line endings', async () => {
    const blocks = [];
    for await (const block of serverSentBlocks(
      body('retry: 10\r\n\r\nid: 1\ndata: x', '\n\nevent: end\ndata: y\n\n'),
    )) {
      blocks.push(block);
    }
    expect(blocks).toEqual([
      { id: null, event: 'message', data: null, retry: 10 },
      { id: '1', event: 'message', data: 'x', retry: null },
      { id: null, event: 'end', data: 'y', retry: null },
    ]);
  });
});
