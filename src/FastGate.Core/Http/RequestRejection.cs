namespace FastGate.Http;

/// <summary>
/// Why a request was refused before it reached an upstream: the parser's reason, or what went wrong with the head or
/// body as it arrived. <see cref="RequestRejections"/> gives each its status and the text the error log prints.
/// </summary>
public enum RequestRejection : byte
{
    None,
    BareLineFeed,
    BareCarriageReturn,
    ObsoleteLineFolding,
    LeadingEmptyLines,
    RequestLineTooLong,
    HeaderBlockTooLarge,
    TooManyHeaders,
    InvalidRequestLine,
    InvalidMethod,
    InvalidVersion,
    UnsupportedVersion,
    InvalidTargetCharacter,
    ConnectMethod,
    AsteriskWithoutOptions,
    InvalidTargetForm,
    InvalidAuthority,
    BadPercentEscape,
    EncodedNul,
    EncodedSlash,
    PathAboveRoot,
    InvalidHeaderLine,
    DuplicateHost,
    InvalidHost,
    MissingHost,
    InvalidContentLength,
    InvalidTransferEncoding,
    UnsupportedTransferCoding,
    TransferEncodingWithContentLength,
    TransferEncodingInHttp10,
    ClosedInsideHead,
    HeadTimeout,
    BodyTooLarge,
    InvalidBody,
    BodyTimeout,
}
