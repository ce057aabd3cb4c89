declare const CWS_VERSION: string;
console.log(`cws ${typeof CWS_VERSION === 'string' ? CWS_VERSION : 'dev'}`);
