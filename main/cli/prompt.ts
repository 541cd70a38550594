/**
 * Line prompts for `magnus-sync login`. Secret answers are not echoed when the input is a terminal;
 * from a pipe, each answer is one line.
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';

export interface Prompter {
  ask(question: string): Promise<string>;
  /** Like ask, but the answer is not shown on a terminal. */
  askSecret(question: string): Promise<string>;
  close(): void;
}

export function createPrompter(input: Readable, output: Writable): Prompter {
  const isTty = Boolean((input as { isTTY?: boolean }).isTTY);
  let muted = false;
  // readline echoes through this stream; while muted it shows nothing of what is typed.
  const proxy = {
    write: (chunk: string | Uint8Array, ...rest: unknown[]) => {
      if (muted) return true;
      return (output.write as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    },
  } as unknown as Writable;
  const rl: Interface = createInterface({ input, output: proxy, terminal: isTty });
  const lines: string[] = [];
  const waiting: Array<(line: string | null) => void> = [];
  let closed = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    closed = true;
    for (const w of waiting.splice(0)) w(null);
  });

  const nextLine = (): Promise<string | null> => {
    const buffered = lines.shift();
    if (buffered !== undefined) return Promise.resolve(buffered);
    if (closed) return Promise.resolve(null);
    return new Promise((resolve) => waiting.push(resolve));
  };

  const askWith = async (question: string, secret: boolean): Promise<string> => {
    output.write(question);
    muted = secret && isTty;
    const line = await nextLine();
    if (muted) output.write('\n');
    muted = false;
    if (line === null) throw new Error('The input ended before every question was answered.');
    return line;
  };

  return {
    ask: (question) => askWith(question, false),
    askSecret: (question) => askWith(question, true),
    close: () => rl.close(),
  };
}
