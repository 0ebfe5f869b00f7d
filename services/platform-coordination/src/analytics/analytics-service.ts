import type { SqlClient } from '@fv/messaging';
import {
  conversion,
  failureRates,
  minuteSeries,
  revenueByCurrency,
  workflowLatencies,
  type AnalyticsWindow,
} from './domain/analytics-domain.js';
import { analyticsReads as read } from './analytics-store.js';

const windowBody = (window: AnalyticsWindow) => ({
  from: window.from.toISOString(),
  to: window.to.toISOString(),
});

/** The two views of the analytics read model, each a handful of queries over the window's rows. */
export class AnalyticsService {
  constructor(private readonly db: SqlClient) {}

  /** Business figures: order flow, revenue, conversion, best sellers, stock-outs and saga latency. */
  async dashboard(window: AnalyticsWindow, top: number) {
    const [counts, outcomes, completed, topProducts, stockOuts, instances] = await Promise.all([
      read.orderMinuteCounts(this.db, window),
      read.orderOutcomes(this.db, window),
      read.completedOrders(this.db, window),
      read.topProducts(this.db, window, top),
      read.stockOuts(this.db, window, top),
      read.instanceSteps(this.db, window),
    ]);
    return {
      window: windowBody(window),
      ordersPerMinute: minuteSeries(window, counts),
      conversion: conversion(outcomes),
      revenue: revenueByCurrency(completed),
      topProducts,
      stockOuts,
      latency: workflowLatencies(instances),
    };
  }

  /** Operational figures: rates, failure and compensation rates by reason, latency percentiles. */
  async metrics(window: AnalyticsWindow) {
    const [outcomes, failures, instances] = await Promise.all([
      read.orderOutcomes(this.db, window),
      read.failures(this.db, window),
      read.instanceSteps(this.db, window),
    ]);
    const minutes = (window.to.getTime() - window.from.getTime()) / 60_000;
    return {
      window: windowBody(window),
      orderRate: {
        createdPerMinute: Math.round((outcomes.created / minutes) * 100) / 100,
        completedPerMinute: Math.round((outcomes.completed / minutes) * 100) / 100,
      },
      conversion: conversion(outcomes),
      failures: failureRates(outcomes.created, failures),
      latency: workflowLatencies(instances),
    };
  }
}
