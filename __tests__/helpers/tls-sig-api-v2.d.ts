// Tencent's own UserSig generator ships no types: the part the tests use. Imported by its file:
// its package.json names "main" twice, and Jest's resolver takes the first, missing, file.
declare module "tls-sig-api-v2/TLSSigAPIv2.js" {
  export class Api {
    constructor(sdkappid: number, key: string);
    genUserSig(userid: string, expire: number): string;
    _hmacsha256(identifier: string, currTime: number, expire: number, base64UserBuf: string | null): string;
  }
}
