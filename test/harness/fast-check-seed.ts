// Property tests explore the same inputs on every run, so a CI run is reproducible: a
// failure is a bug to fix, never a roll of the dice. `FC_SEED=<n>` explores elsewhere
// (`FC_SEED=random` picks a fresh seed); fast-check prints the seed of any failure.
import fc from "fast-check";

const given = process.env.FC_SEED;
const seed = given === "random" ? Math.floor(Math.random() * 2 ** 31) : Number(given ?? 20_261_124);
if (!Number.isSafeInteger(seed)) throw new Error(`FC_SEED must be an integer or "random", not ${JSON.stringify(given)}`);
if (given !== undefined) console.log(`fast-check seed ${seed}`);
fc.configureGlobal({ seed });
