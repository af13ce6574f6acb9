import { checkout } from "./actions";

export const dynamic = "force-dynamic";

export default function Checkout() {
  return (
    <form action={checkout}>
      <input name="plan" defaultValue="pro" />
      <button type="submit">checkout</button>
    </form>
  );
}
