#!/usr/bin/env node
/**
 * The deployable default app. Settings come from CDK context (cdk.json, or `-c key=value`); see README.md.
 * Synthesizes offline: fixed account and region, no context lookups.
 */
import { App } from 'aws-cdk-lib';
import { buildDefaultApp } from '../lib/app/build';

const app = new App();
buildDefaultApp(app);
app.synth();
