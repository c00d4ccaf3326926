// The recording editor's page: a `*.procmem.json` file opened read-only.
import 'uplot/dist/uPlot.min.css';
import '../inspect/inspect.css';
import './recording.css';
import type { FromRecordingView, ToRecordingView } from '../../shared/protocol/recording';
import { registerToolkit } from '../toolkit';
import { connectToHost, onHostMessage } from '../vscodeApi';
import { RecordingView } from './view';

registerToolkit();
const host = connectToHost<FromRecordingView, undefined>(() => undefined);
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const view = new RecordingView(root, (message) => host.post(message));
onHostMessage<ToRecordingView>((message) => view.handle(message));
host.post({ type: 'ready' });
