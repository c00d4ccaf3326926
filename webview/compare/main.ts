// The comparison of two recordings.
import 'uplot/dist/uPlot.min.css';
import '../inspect/inspect.css';
import '../recording/recording.css';
import './compare.css';
import type { FromCompareView, ToCompareView } from '../../shared/protocol/compare';
import { connectToHost, onHostMessage } from '../vscodeApi';
import { CompareView } from './view';

const host = connectToHost<FromCompareView, undefined>(() => undefined);
const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
const view = new CompareView(root, (message) => host.post(message));
onHostMessage<ToCompareView>((message) => view.handle(message));
host.post({ type: 'ready' });
