import { expect } from 'vitest';

/**
 * Given/When/Then for pure stage logic (after emmett's deciderSpecification): a stage is a step from
 * (state, input) to (state, output); a spec starts from a state, feeds inputs one after the other,
 * threading the state, and asserts on the outputs of every input and on the final state.
 *
 *   const spec = specification(step);
 *   spec.given(emptyState).when(raw1, raw2).then(out1, out2).thenState(expected);
 */
export interface StepResult<S, O> {
  readonly state: S;
  readonly output: O;
}

export type Step<S, I, O> = (state: S, input: I) => StepResult<S, O>;

export interface Then<S, O> {
  /** The outputs of the inputs, in order, deep and strictly equal to these (one per input). */
  then(...expected: readonly O[]): Then<S, O>;
  /** Like `then`, but each expected value may be a subset of its output (toMatchObject). */
  thenMatch(...expected: readonly unknown[]): Then<S, O>;
  /** The state after the last input. */
  thenState(expected: S): Then<S, O>;
  /** Free-form checks on the outputs and final state, for what equality cannot say. */
  thenCheck(check: (outputs: readonly O[], state: S) => void): Then<S, O>;
  /** The inputs throw: the first error thrown matches this subset (e.g. `{ code: 'UNPARSABLE_PRICE' }`). */
  thenThrows(expected: Record<string, unknown>): void;
}

export interface When<S, I, O> {
  when(...inputs: readonly I[]): Then<S, O>;
}

export interface Specification<S, I, O> {
  given(state: S): When<S, I, O>;
}

interface Run<S, O> {
  readonly outputs: readonly O[];
  readonly state: S;
}

export function specification<S, I, O>(step: Step<S, I, O>): Specification<S, I, O> {
  return {
    given(initial: S): When<S, I, O> {
      return {
        when(...inputs: readonly I[]): Then<S, O> {
          // Run lazily, once, so thenThrows can catch what the steps throw.
          let memo: Run<S, O> | undefined;
          const run = (): Run<S, O> => {
            if (memo) return memo;
            let state = initial;
            const outputs: O[] = [];
            for (const input of inputs) {
              const result = step(state, input);
              state = result.state;
              outputs.push(result.output);
            }
            memo = { outputs, state };
            return memo;
          };
          const then: Then<S, O> = {
            then(...expected) {
              expect(run().outputs).toStrictEqual(expected);
              return then;
            },
            thenMatch(...expected) {
              expect(run().outputs).toMatchObject(expected);
              return then;
            },
            thenState(expected) {
              expect(run().state).toStrictEqual(expected);
              return then;
            },
            thenCheck(check) {
              const { outputs, state } = run();
              check(outputs, state);
              return then;
            },
            thenThrows(expected) {
              let thrown: unknown;
              try {
                run();
              } catch (err) {
                thrown = err;
              }
              expect(thrown, 'expected the inputs to throw').toBeDefined();
              expect(thrown).toMatchObject(expected);
            },
          };
          return then;
        },
      };
    },
  };
}
