/** The thread a staffing forecast runs on (off the API's event loop): progress, then the forecast. */
import { parentPort, workerData } from 'node:worker_threads';
import { forecastStaffing, type ForecastRequest } from '../machines/staffing.forecast.js';
import type { StaffingModel } from '../machines/staffing.model.js';

const { model, request } = workerData as { model: StaffingModel; request: ForecastRequest };
const forecast = forecastStaffing(model, request, (done, total) => parentPort!.postMessage({ progress: done / total }));
parentPort!.postMessage({ forecast });
