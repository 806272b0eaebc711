// The Prometheus scrape endpoint. The exporter's own server binds every interface and cannot
// report the port it got, so it only renders the text format here and this server decides where
// to listen (loopback by default, see options.ts) and says where it listens.
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export class PrometheusEndpoint {
  readonly reader = new PrometheusExporter({ preventServerStart: true });
  private readonly server: Server;

  constructor() {
    // Every path answers with the metrics, like the exporter's own server at its /metrics.
    this.server = createServer((request, response) => this.reader.getMetricsRequestHandler(request, response));
    // A scrape endpoint must not keep a finished CLI run alive.
    this.server.unref();
  }

  /** Starts listening; resolves with the URL to scrape. */
  listen(host: string, port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        const { address, port: bound } = this.server.address() as AddressInfo;
        resolve(`http://${address.includes(':') ? `[${address}]` : address}:${bound}/metrics`);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
