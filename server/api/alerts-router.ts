// GET /api/alerts (current), /api/alerts/history (transitions, newest first) and /api/alerts/rules
// (the rules as JSON, or exported: ?format=prometheus for a rules file, ?format=prometheusrule for a
// Prometheus Operator manifest; ?by=label,label and ?namespaceLabel=label shape the PromQL).
import { Router } from 'express';
import { sendError } from './api-error.ts';
import type { AlertsApi } from './dashboard-core.ts';

const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const MAX_HISTORY = 10_000;

function one(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function alertsRouter(alerts: AlertsApi): Router {
  const r = Router();

  r.get('/alerts', (_req, res) => {
    res.json(alerts.list());
  });

  r.get('/alerts/history', (req, res) => {
    const rawLimit = one(req.query.limit);
    const limit = rawLimit === undefined ? 500 : Number(rawLimit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY) {
      return sendError(
        res,
        400,
        'invalid_parameter',
        `limit must be a whole number from 1 to ${MAX_HISTORY}, got '${rawLimit}'`,
        'limit',
      );
    }
    const alertId = one(req.query.alert);
    if (alertId !== undefined && !/^[0-9a-f]{1,64}$/.test(alertId)) {
      return sendError(res, 400, 'invalid_parameter', `'${alertId}' is not an alert id`, 'alert');
    }
    res.json({ entries: alerts.history({ limit, ...(alertId !== undefined && { alertId }) }) });
  });

  r.get('/alerts/rules', (req, res) => {
    const format = one(req.query.format) ?? 'json';
    if (format === 'json') return res.json({ rules: alerts.rules() });
    if (format !== 'prometheus' && format !== 'prometheusrule') {
      return sendError(
        res,
        400,
        'invalid_parameter',
        `format must be json, prometheus or prometheusrule, got '${format}'`,
        'format',
      );
    }
    const byRaw = one(req.query.by);
    const by = byRaw === undefined ? undefined : byRaw.split(',').map((l) => l.trim());
    const bad = by?.find((l) => !LABEL.test(l));
    if (bad !== undefined)
      return sendError(res, 400, 'invalid_parameter', `'${bad}' is not a Prometheus label name`, 'by');
    const namespaceLabel = one(req.query.namespaceLabel);
    if (namespaceLabel !== undefined && !LABEL.test(namespaceLabel)) {
      return sendError(
        res,
        400,
        'invalid_parameter',
        `'${namespaceLabel}' is not a Prometheus label name`,
        'namespaceLabel',
      );
    }
    res.type('application/yaml').send(
      alerts.exportRules(format, {
        ...(by && { by }),
        ...(namespaceLabel !== undefined && { namespaceLabel }),
      }),
    );
  });

  return r;
}
