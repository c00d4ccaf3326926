// The inspect panel's page: one process, its figures, history chart and exports.
import 'uplot/dist/uPlot.min.css';
import './inspect.css';
import type { FromInspectPanel, ToInspectPanel } from '../../shared/protocol/inspect';
import { registerToolkit } from '../toolkit';
import { connectToHost, onHostMessage } from '../vscodeApi';
import { InspectView, parseInspectState, type InspectState } from './view';

registerToolkit();
const host = connectToHost<FromInspectPanel, InspectState>(parseInspectState);
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const view = new InspectView(
  root,
  (message) => host.post(message),
  host.loadState(),
  (state) => host.saveState(state),
);
onHostMessage<ToInspectPanel>((message) => view.handle(message));
host.post({ type: 'ready' });
