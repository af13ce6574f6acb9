export default async function Product({ params }) {
  const { id } = await params;
  return <main>product {id}</main>;
}
