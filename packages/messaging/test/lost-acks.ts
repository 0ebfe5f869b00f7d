import net from 'node:net';
import type { ISocketFactory } from 'kafkajs';

/** Kafka's API key of a produce request (the int16 after the request's int32 size). */
const PRODUCE = 0;

/**
 * A kafkajs socket factory that, while `losing` is set, lets every produce request reach the broker
 * and then drops the connection as the broker's answer arrives: the broker has appended the batch, the
 * client never learns it. That is what a broker crash or a network cut between the append and the
 * acknowledgement does.
 */
export class LostAcks {
  losing = false;
  /** Produce answers dropped so far. */
  dropped = 0;

  readonly socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    const socket = net.connect({ host, port }, onConnect);
    let awaitingProduceAnswer = false;
    const write = socket.write.bind(socket) as (chunk: unknown, ...rest: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (this.losing && Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === PRODUCE) {
        awaitingProduceAnswer = true;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    const on = socket.on.bind(socket);
    socket.on = ((event: string, listener: (...args: unknown[]) => void) => {
      if (event !== 'data') return on(event, listener);
      return on('data', (data: Buffer) => {
        if (awaitingProduceAnswer) {
          this.dropped += 1;
          socket.destroy(new Error('connection lost before the broker answered the produce request'));
          return;
        }
        listener(data);
      });
    }) as typeof socket.on;
    return socket;
  };
}
