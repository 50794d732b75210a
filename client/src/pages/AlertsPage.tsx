export function AlertsPage() {
  return (
    <section className="page" aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <p className="state">
        The alert engine (503 spikes, tripped circuit breakers, ejected hosts, weight drift, dead scrapes) is
        not available yet.
      </p>
    </section>
  );
}
