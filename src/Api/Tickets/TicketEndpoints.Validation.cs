using Sanmenxia.Api.Problems;
using Sanmenxia.Api.Regions;
using Sanmenxia.Identity;
using Sanmenxia.Regions;
using Sanmenxia.Security;
using Sanmenxia.Tickets;

namespace Sanmenxia.Api.Tickets;

/// <summary>Field checks shared by the endpoints: the place, the contact, enum values, notes; the audit detail of a ticket.</summary>
public static partial class TicketEndpoints
{
    private static async Task<TicketLocation?> LocationAsync(FieldErrors errors, string? regionText, string? address, double? latitude, double? longitude, RegionCatalog regions)
    {
        RegionCode? region = null;
        if (!RegionCode.TryParse(regionText, out var code, out var error)) errors.Add("regionCode", error);
        else if (!code.IsWithin(SanmenxiaRegions.CityCode) || await regions.FindAsync(code.Value) is null) errors.Add("regionCode", $"unknown region {code.Value}");
        else region = code;
        if (address is { Length: > MaxAddress }) errors.Add("address", $"must be at most {MaxAddress} characters");
        if (latitude is null != longitude is null) errors.Add("latitude", "give both latitude and longitude, or neither");
        if (latitude is < -90 or > 90 || (latitude is { } lat && !double.IsFinite(lat))) errors.Add("latitude", "must be between -90 and 90");
        if (longitude is < -180 or > 180 || (longitude is { } lon && !double.IsFinite(lon))) errors.Add("longitude", "must be between -180 and 180");
        return region is { } r ? new TicketLocation(r, string.IsNullOrWhiteSpace(address) ? null : address.Trim(), latitude, longitude) : null;
    }

    private static (TicketContact? Contact, string? CallbackPhone) ContactOf(FieldErrors errors, string? phoneText, string? name, bool? callback, PseudonymousKeys keys)
    {
        if (name is { Length: > MaxName }) errors.Add("name", $"must be at most {MaxName} characters");
        if (string.IsNullOrWhiteSpace(phoneText))
        {
            if (callback == true) errors.Add("phone", "is required for a call back");
            return (null, null);
        }
        if (!PhoneNumber.TryParse(phoneText, out var phone, out var error))
        {
            errors.Add("phone", error);
            return (null, null);
        }
        var contact = new TicketContact(keys.ForPhone(phone.Value), phone.Masked, string.IsNullOrWhiteSpace(name) ? null : name.Trim(), callback == true);
        // The clear number is kept only when an operator must call back.
        return (contact, callback == true ? phone.Value : null);
    }

    private static T? ParseEnum<T>(FieldErrors errors, string field, string? text, bool required) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            if (required) errors.Add(field, $"is required (one of: {string.Join(", ", Enum.GetNames<T>())})");
            return null;
        }
        if (!text.Trim().All(char.IsAsciiLetter) || !Enum.TryParse<T>(text.Trim(), ignoreCase: true, out var value) || !Enum.IsDefined(value))
        {
            errors.Add(field, $"unknown value '{(text.Length > 40 ? text[..40] : text)}' (one of: {string.Join(", ", Enum.GetNames<T>())})");
            return null;
        }
        return value;
    }

    private static void CheckNote(FieldErrors errors, string field, string? text, int max)
    {
        if (text is { Length: > 0 } && text.Length > max) errors.Add(field, $"must be at most {max} characters");
    }

    private static string? ContactDetail(Ticket ticket)
    {
        var parts = new[] { ticket.Contact is { } c ? $"caller={c.PhoneKey}" : null, ticket.ResidentKey is { } r ? $"resident={r}" : null }.OfType<string>().ToList();
        return parts.Count == 0 ? null : string.Join("; ", parts);
    }
}
