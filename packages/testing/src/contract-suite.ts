import type { EventName } from '@fv/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contractRuntime,
  type ContractRuntime,
  type ContractRuntimeOptions,
  type RuntimeUnderContract,
} from './contract-runtime.js';
import {
  eventSamples,
  expectContractKept,
  isOptionalFieldVariant,
  type ConsumerUnderTest,
  type EventSample,
} from './event-samples.js';

/** Turns a sample of an event into one about rows the service has (the `index`-th sample of its seed). */
export type RelateSample<N extends EventName> = (
  sample: EventSample<N>,
  index: number,
) => Promise<EventSample<N>>;

/** Per consumed event of a service, how its samples are made about rows the service has. */
export type RelatedSamples = { [N in EventName]?: RelateSample<N> };

/** The seed of the samples made about rows the service has (the others use the default seed). */
export const RELATED_SAMPLES_SEED = 11;

/** The samples of `name` (seed {@link RELATED_SAMPLES_SEED}), each made about rows the service has by `relate`. */
export async function relatedSamples<N extends EventName>(
  name: N,
  relate: RelateSample<N>,
): Promise<EventSample<N>[]> {
  const samples: EventSample<N>[] = [];
  for (const [index, sample] of eventSamples(name, { seed: RELATED_SAMPLES_SEED }).entries())
    samples.push(await relate(sample, index));
  return samples;
}

export interface ConsumedEventsContract {
  /** The service's name, as the suite's title says it. */
  service: string;
  /** The service's consumers, as the suite's `beforeAll` made them (e.g. with `contractRuntime`). */
  consumers(): Map<EventName, ConsumerUnderTest>;
  /** One entry per event the service consumes. */
  related: RelatedSamples;
  /** What the plain samples are about, in the test titles: e.g. `orders it does not know`. */
  unknown: string;
  /** What the related samples are about, in the test titles: e.g. `orders it ships`. */
  known: string;
}

/**
 * The event-contract suite of a service: it consumes exactly the events of `related`, and for each of
 * them it handles, or refuses for the dead-letter topic by design, every event the schema admits —
 * once about rows it does not have, and once about rows it has (made by `related`), where an event
 * that only leaves optional fields null must be applied and at least one event must be handled.
 */
export function describeConsumedEventsContract(contract: ConsumedEventsContract): void {
  const { service, related } = contract;
  describe(`contract: ${service} and the schemas of the events it consumes`, () => {
    it('has a contract test for each event it consumes', () => {
      expect([...contract.consumers().keys()].sort()).toEqual(Object.keys(related).sort());
    });

    for (const name of Object.keys(related) as EventName[]) {
      it(`handles or refuses by design any ${name} its schema admits, about ${contract.unknown}`, async () => {
        await expectContractKept(contract.consumers().get(name)!, eventSamples(name));
      });

      it(`handles or refuses by design any ${name} its schema admits, about ${contract.known}`, async () => {
        const samples = await relatedSamples(name, related[name] as RelateSample<EventName>);
        const outcomes = await expectContractKept(contract.consumers().get(name)!, samples, {
          mustBeHandled: isOptionalFieldVariant,
        });
        expect(outcomes.filter((outcome) => outcome.result === 'handled').length).toBeGreaterThan(0);
      });
    }
  });
}

export interface FileContractRuntimeOptions<R extends RuntimeUnderContract> extends Omit<
  ContractRuntimeOptions<R>,
  'env'
> {
  /** Settings of the service's own; a function is called when the runtime is created (after earlier `beforeAll` hooks). */
  env?: Record<string, string> | (() => Record<string, string>);
}

/**
 * {@link contractRuntime} for the tests of one file: created in its `beforeAll`, closed in its `afterAll`.
 * Its fields are read in the tests and the hooks that follow, once it is created.
 */
export function contractRuntimeForFile<R extends RuntimeUnderContract>(
  options: FileContractRuntimeOptions<R>,
): ContractRuntime<R> {
  let contract: ContractRuntime<R> | undefined;
  beforeAll(async () => {
    const env = typeof options.env === 'function' ? options.env() : options.env;
    contract = await contractRuntime({ ...options, env });
  });
  afterAll(async () => {
    await contract?.close();
  });
  const created = (): ContractRuntime<R> => {
    if (!contract)
      throw new Error(`the ${options.service} contract runtime is read before its beforeAll created it`);
    return contract;
  };
  return {
    get runtime() {
      return created().runtime;
    },
    get consumers() {
      return created().consumers;
    },
    get secret() {
      return created().secret;
    },
    close: () => created().close(),
  };
}
