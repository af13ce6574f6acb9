export default function Home() {
  return <main>apptuit next test</main>;
}
