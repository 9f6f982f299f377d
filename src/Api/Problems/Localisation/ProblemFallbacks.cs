namespace Sanmenxia.Api.Problems.Localisation;

/// <summary>What a Chinese reader gets when the catalog does not know a text: a general sentence for the status.</summary>
internal static class ProblemFallbacks
{
    public const string Reason = "填写有误";
    public const string JsonDetailPrefix = "The JSON body could not be read: ";

    public static string Title(int status) => status switch
    {
        400 => "请求有误",
        401 => "请先登录",
        403 => "超出您的权限或管辖范围",
        404 => "未找到",
        405 => "不支持该请求方式",
        406 => "无法提供所要求的格式",
        408 => "请求超时",
        409 => "与现有记录冲突",
        412 => "前提条件不满足",
        413 => "请求内容过大",
        415 => "不支持该内容类型",
        422 => "无法办理",
        429 => "请求过于频繁",
        499 => "请求已取消",
        503 => "服务暂时不可用",
        >= 500 => "系统内部错误",
        _ => "请求未能完成",
    };

    public static string Detail(int status) => Title(status) + "。具体原因暂无中文说明，请凭追踪号（traceId）咨询管理员。";

    public static string StatusCode(int status) => status switch
    {
        400 => "request.bad",
        401 => "auth.not-signed-in",
        403 => "auth.forbidden",
        404 => "not-found",
        405 => "request.method-not-allowed",
        406 => "request.not-acceptable",
        409 => "conflict",
        413 => "request.too-large",
        415 => "request.unsupported-media-type",
        422 => "unprocessable",
        429 => "rate-limited",
        503 => "service.unavailable",
        >= 500 => "server.error",
        _ => "status." + status,
    };
}
