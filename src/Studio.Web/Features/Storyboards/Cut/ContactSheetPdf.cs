using System.Globalization;
using System.Text;

namespace Studio.Web.Features.Storyboards.Cut;

/// <summary>One cell of a contact sheet.</summary>
/// <param name="Caption">One short line about the take, e.g. "gen4.5 · runway · 5 s · seed 42 · take 2 of 3, selected by Ada".</param>
/// <param name="PosterJpeg">The selected take's poster as JPEG bytes, embedded as they are; null when the shot has no take yet.</param>
public sealed record ContactSheetShot(int Number, string Title, string Prompt, string Caption, byte[]? PosterJpeg);

/// <summary>
/// A storyboard's contact sheet as a PDF 1.4: A4 landscape pages with a title header, a 3 × 2 grid of shots
/// (poster, "Shot N · Title", the prompt wrapped to the cell and cut with "…" when it does not fit, a grey caption)
/// and a "page i of n" footer.
/// <para>
/// Written by hand rather than with a PDF library: the sheet needs only text in a standard font, filled boxes
/// and JPEGs, and PDF embeds a JPEG as it is (<c>/DCTDecode</c>). Text uses the base-14 Helvetica fonts with
/// WinAnsiEncoding, which every reader has, so nothing is embedded; characters WinAnsi cannot show become '?'.
/// Streams are left uncompressed (a sheet's weight is its JPEGs), which also keeps the text greppable.
/// The same input always gives the same bytes.
/// </para>
/// </summary>
public static class ContactSheetPdf
{
    // A4 landscape in points (1/72 in).
    private const double PageWidth = 841.89;
    private const double PageHeight = 595.28;
    private const double Margin = 36;
    private const int Columns = 3;
    private const int Rows = 2;
    private const int ShotsPerPage = Columns * Rows;
    private const double ColumnGap = 18;
    private const double RowGap = 18;
    private const double HeaderHeight = 46;
    private const double FooterHeight = 18;

    private const double TitleSize = 10;
    private const double PromptSize = 8;
    private const double PromptLeading = 10.2;
    private const double CaptionSize = 7;
    private const double CaptionLeading = 8.8;
    private const int MaxCaptionLines = 2;

    private const string Ellipsis = "…";

    public static byte[] Build(string title, string subtitle, IReadOnlyList<ContactSheetShot> shots)
    {
        ArgumentNullException.ThrowIfNull(shots);
        title ??= string.Empty;
        subtitle ??= string.Empty;

        var pageCount = Math.Max(1, (shots.Count + ShotsPerPage - 1) / ShotsPerPage);
        const int catalogId = 1, pagesId = 2, regularFontId = 3, boldFontId = 4, infoId = 5;
        var nextId = 6;

        var images = new Dictionary<int, (int Id, JpegInfo Info)>();
        for (var i = 0; i < shots.Count; i++)
        {
            if (shots[i].PosterJpeg is { } jpeg && JpegInfo.Read(jpeg) is { } info)
            {
                images[i] = (nextId++, info);
            }
        }

        var pageIds = new int[pageCount];
        var contentIds = new int[pageCount];
        for (var p = 0; p < pageCount; p++)
        {
            pageIds[p] = nextId++;
            contentIds[p] = nextId++;
        }

        var pdf = new PdfWriter(nextId - 1);
        pdf.Object(catalogId, Invariant($"<< /Type /Catalog /Pages {pagesId} 0 R >>"));
        pdf.Object(pagesId, Invariant($"<< /Type /Pages /Kids [{string.Join(' ', pageIds.Select(id => Invariant($"{id} 0 R")))}] /Count {pageCount} >>"));
        pdf.Object(regularFontId, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
        pdf.Object(boldFontId, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>");
        pdf.Object(infoId, $"<< /Title {TextString(title)} /Producer (Studio) >>");

        foreach (var (shotIndex, (id, info)) in images.OrderBy(i => i.Value.Id))
        {
            var colourSpace = info.Components switch { 1 => "/DeviceGray", 4 => "/DeviceCMYK", _ => "/DeviceRGB" };
            // Adobe writes CMYK JPEGs inverted; its APP14 marker says so.
            var decode = info.Components == 4 && info.AdobeInverted ? " /Decode [1 0 1 0 1 0 1 0]" : string.Empty;
            pdf.Stream(id, Invariant(
                $"/Type /XObject /Subtype /Image /Width {info.Width} /Height {info.Height} /ColorSpace {colourSpace} /BitsPerComponent 8 /Filter /DCTDecode{decode}"),
                shots[shotIndex].PosterJpeg!);
        }

        for (var p = 0; p < pageCount; p++)
        {
            var onPage = Enumerable.Range(p * ShotsPerPage, Math.Max(0, Math.Min(ShotsPerPage, shots.Count - p * ShotsPerPage))).ToList();
            var xObjects = string.Concat(onPage.Where(images.ContainsKey).Select(i => Invariant($" /Im{images[i].Id} {images[i].Id} 0 R")));
            pdf.Object(pageIds[p], Invariant(
                $"<< /Type /Page /Parent {pagesId} 0 R /MediaBox [0 0 {PageWidth} {PageHeight}] ")
                + Invariant($"/Resources << /Font << /F1 {regularFontId} 0 R /F2 {boldFontId} 0 R >>")
                + (xObjects.Length > 0 ? $" /XObject <<{xObjects} >>" : string.Empty)
                + Invariant($" >> /Contents {contentIds[p]} 0 R >>"));

            var content = new ContentBuilder();
            DrawHeaderAndFooter(content, title, subtitle, shots.Count, p + 1, pageCount);
            if (shots.Count == 0)
            {
                content.Text(Font.Regular, 11, 0.45, Margin, PageHeight - Margin - HeaderHeight - 30, "This storyboard has no shots yet.");
            }

            for (var slot = 0; slot < onPage.Count; slot++)
            {
                var shotIndex = onPage[slot];
                DrawShot(content, shots[shotIndex], slot, images.TryGetValue(shotIndex, out var image) ? image : null);
            }

            pdf.Stream(contentIds[p], string.Empty, content.ToBytes());
        }

        return pdf.Finish(catalogId, infoId);
    }

    private static void DrawHeaderAndFooter(ContentBuilder content, string title, string subtitle, int shotCount, int page, int pageCount)
    {
        var width = PageWidth - 2 * Margin;
        var top = PageHeight - Margin;
        var count = shotCount == 1 ? "1 shot" : Invariant($"{shotCount} shots");
        var countWidth = Font.Regular.Width(count, 9);
        content.Text(Font.Bold, 16, 0.08, Margin, top - 14, Fit(Font.Bold, 16, title, width - countWidth - 24));
        content.Text(Font.Regular, 9, 0.42, Margin, top - 30, Fit(Font.Regular, 9, subtitle, width - countWidth - 24));
        content.Text(Font.Regular, 9, 0.42, PageWidth - Margin - countWidth, top - 14, count);
        content.Line(0.8, Margin, top - HeaderHeight + 8, PageWidth - Margin, top - HeaderHeight + 8, 0.5);

        var footer = Invariant($"page {page} of {pageCount}");
        var footerY = Margin - 14;
        content.Line(0.85, Margin, Margin - 4, PageWidth - Margin, Margin - 4, 0.5);
        content.Text(Font.Regular, 7.5, 0.5, Margin, footerY, Fit(Font.Regular, 7.5, title, width / 2));
        content.Text(Font.Regular, 7.5, 0.5, PageWidth - Margin - Font.Regular.Width(footer, 7.5), footerY, footer);
    }

    private static void DrawShot(ContentBuilder content, ContactSheetShot shot, int slot, (int Id, JpegInfo Info)? image)
    {
        var gridTop = PageHeight - Margin - HeaderHeight;
        var gridBottom = Margin + FooterHeight - 12;
        var cellWidth = (PageWidth - 2 * Margin - (Columns - 1) * ColumnGap) / Columns;
        var cellHeight = (gridTop - gridBottom - (Rows - 1) * RowGap) / Rows;
        var x = Margin + slot % Columns * (cellWidth + ColumnGap);
        var top = gridTop - slot / Columns * (cellHeight + RowGap);
        var bottom = top - cellHeight;

        // The picture box is 16:9 (Runway's landscape frame); other shapes are fitted inside it, centred.
        var boxHeight = cellWidth * 9 / 16;
        var boxBottom = top - boxHeight;
        if (image is { } placed)
        {
            content.Rectangle(0.12, x, boxBottom, cellWidth, boxHeight);
            var scale = Math.Min(cellWidth / placed.Info.Width, boxHeight / placed.Info.Height);
            var (w, h) = (placed.Info.Width * scale, placed.Info.Height * scale);
            content.Image(placed.Id, x + (cellWidth - w) / 2, boxBottom + (boxHeight - h) / 2, w, h);
        }
        else
        {
            content.Rectangle(0.92, x, boxBottom, cellWidth, boxHeight);
            var label = shot.PosterJpeg is null ? "No take yet" : "Poster unavailable";
            content.Text(Font.Regular, 9, 0.5, x + (cellWidth - Font.Regular.Width(label, 9)) / 2, boxBottom + boxHeight / 2 - 3, label);
        }

        var heading = string.IsNullOrWhiteSpace(shot.Title)
            ? Invariant($"Shot {shot.Number}")
            : Invariant($"Shot {shot.Number} · {shot.Title.Trim()}");
        var headingY = boxBottom - 14;
        content.Text(Font.Bold, TitleSize, 0.08, x, headingY, Fit(Font.Bold, TitleSize, heading, cellWidth));

        var captionLines = Wrap(Font.Regular, CaptionSize, shot.Caption ?? string.Empty, cellWidth, MaxCaptionLines);
        var captionTop = bottom + captionLines.Count * CaptionLeading;
        for (var i = 0; i < captionLines.Count; i++)
        {
            content.Text(Font.Regular, CaptionSize, 0.45, x, captionTop - (i + 1) * CaptionLeading + 2, captionLines[i]);
        }

        var promptTop = headingY - 4;
        var promptRoom = promptTop - (captionLines.Count > 0 ? captionTop + 3 : bottom);
        var promptLines = Wrap(Font.Regular, PromptSize, shot.Prompt ?? string.Empty, cellWidth, Math.Max(1, (int)(promptRoom / PromptLeading)));
        for (var i = 0; i < promptLines.Count; i++)
        {
            content.Text(Font.Regular, PromptSize, 0.2, x, promptTop - (i + 1) * PromptLeading + 2, promptLines[i]);
        }
    }

    /// <summary>Greedy word wrap by measured width; a word wider than a line is broken; what does not fit ends in "…".</summary>
    internal static List<string> Wrap(Font font, double size, string text, double width, int maxLines)
    {
        var lines = new List<string>();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var current = new StringBuilder();
        var overflow = false;
        foreach (var rawWord in words)
        {
            var word = rawWord;
            if (current.Length > 0 && font.Width(current + " " + word, size) > width)
            {
                lines.Add(current.ToString());
                current.Clear();
            }

            while (current.Length == 0 && font.Width(word, size) > width)
            {
                var fits = 1;
                while (fits < word.Length && font.Width(word[..(fits + 1)], size) <= width)
                {
                    fits++;
                }

                lines.Add(word[..fits]);
                word = word[fits..];
            }

            if (lines.Count > maxLines)
            {
                overflow = true;
                break;
            }

            if (current.Length > 0)
            {
                current.Append(' ');
            }

            current.Append(word);
        }

        if (current.Length > 0)
        {
            lines.Add(current.ToString());
        }

        if (lines.Count > maxLines || overflow)
        {
            lines.RemoveRange(maxLines, lines.Count - maxLines);
            lines[^1] = Fit(font, size, lines[^1] + Ellipsis, width);
        }

        return lines;
    }

    /// <summary>The text as it is when it fits, else cut (at a word when one is near) and ended with "…".</summary>
    internal static string Fit(Font font, double size, string text, double width)
    {
        text = text.Trim();
        if (font.Width(text, size) <= width)
        {
            return text;
        }

        var body = text.EndsWith(Ellipsis, StringComparison.Ordinal) ? text[..^Ellipsis.Length] : text;
        var length = body.Length;
        while (length > 0 && font.Width(body[..length].TrimEnd() + Ellipsis, size) > width)
        {
            length--;
        }

        var cut = body[..length].TrimEnd();
        var space = cut.LastIndexOf(' ');
        if (space > cut.Length * 2 / 3)
        {
            cut = cut[..space].TrimEnd(' ', ',', ';', ':', '·', '-');
        }

        return cut + Ellipsis;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>A document text string (the /Title) in UTF-16BE with its byte order mark, so any title survives.</summary>
    private static string TextString(string text)
    {
        var hex = new StringBuilder("<FEFF");
        foreach (var b in Encoding.BigEndianUnicode.GetBytes(text))
        {
            hex.Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }

        return hex.Append('>').ToString();
    }

    /// <summary>Helvetica or Helvetica-Bold: WinAnsi codes and the widths from Adobe's metrics (per 1000 em).</summary>
    internal sealed class Font
    {
        public static readonly Font Regular = new("F1", BuildWidths(
            [278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
             278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667,
             611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
             556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584],
            [556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
             0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,
             278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,
             400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,
             667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
             722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
             556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,
             556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500]));

        public static readonly Font Bold = new("F2", BuildWidths(
            [278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556, 556, 556,
             333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667,
             611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889,
             611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584],
            [556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,
             0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,
             278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,
             400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,
             722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,
             722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,
             556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,
             611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556]));

        // WinAnsi 0x80–0x9F hold these characters instead of Latin-1's control codes.
        private static readonly Dictionary<char, byte> WinAnsiExtras = new()
        {
            ['€'] = 0x80, ['‚'] = 0x82, ['ƒ'] = 0x83, ['„'] = 0x84, ['…'] = 0x85, ['†'] = 0x86, ['‡'] = 0x87, ['ˆ'] = 0x88,
            ['‰'] = 0x89, ['Š'] = 0x8A, ['‹'] = 0x8B, ['Œ'] = 0x8C, ['Ž'] = 0x8E, ['\u2018'] = 0x91, ['\u2019'] = 0x92,
            ['\u201C'] = 0x93, ['\u201D'] = 0x94, ['•'] = 0x95, ['–'] = 0x96, ['—'] = 0x97, ['˜'] = 0x98, ['™'] = 0x99,
            ['š'] = 0x9A, ['›'] = 0x9B, ['œ'] = 0x9C, ['ž'] = 0x9E, ['Ÿ'] = 0x9F,
        };

        private readonly int[] _widths;

        private Font(string resourceName, int[] widths)
        {
            ResourceName = resourceName;
            _widths = widths;
        }

        public string ResourceName { get; }

        /// <summary>The width of <paramref name="text"/> in points at <paramref name="size"/>, as the reader will draw it.</summary>
        public double Width(string text, double size)
        {
            var units = 0;
            foreach (var code in Encode(text))
            {
                units += _widths[code];
            }

            return units * size / 1000;
        }

        /// <summary>WinAnsi bytes; anything it lacks (including each emoji, whatever its UTF-16 length) is '?'.</summary>
        public static byte[] Encode(string text)
        {
            var bytes = new List<byte>(text.Length);
            foreach (var rune in text.EnumerateRunes())
            {
                var value = rune.Value;
                bytes.Add(value switch
                {
                    '\t' or '\n' or '\r' => (byte)' ',
                    >= 0x20 and <= 0x7E => (byte)value,
                    >= 0xA0 and <= 0xFF => (byte)value,
                    _ when rune.IsBmp && WinAnsiExtras.TryGetValue((char)value, out var extra) => extra,
                    _ => (byte)'?',
                });
            }

            return [.. bytes];
        }

        private static int[] BuildWidths(int[] ascii, int[] upper)
        {
            var widths = new int[256];
            ascii.CopyTo(widths, 32);
            upper.CopyTo(widths, 128);
            return widths;
        }
    }

    /// <summary>A page's drawing operators, ASCII only (bytes outside it written as octal escapes).</summary>
    private sealed class ContentBuilder
    {
        private readonly StringBuilder _operators = new();

        public void Text(Font font, double size, double grey, double x, double y, string text)
        {
            if (text.Length == 0)
            {
                return;
            }

            _operators.Append(Invariant($"BT /{font.ResourceName} {N(size)} Tf {N(grey)} g {N(x)} {N(y)} Td "));
            AppendLiteral(Font.Encode(text));
            _operators.Append(" Tj ET\n");
        }

        public void Rectangle(double grey, double x, double y, double width, double height) =>
            _operators.Append(Invariant($"{N(grey)} g {N(x)} {N(y)} {N(width)} {N(height)} re f\n"));

        public void Line(double grey, double x1, double y1, double x2, double y2, double lineWidth) =>
            _operators.Append(Invariant($"{N(grey)} G {N(lineWidth)} w {N(x1)} {N(y1)} m {N(x2)} {N(y2)} l S\n"));

        public void Image(int id, double x, double y, double width, double height) =>
            _operators.Append(Invariant($"q {N(width)} 0 0 {N(height)} {N(x)} {N(y)} cm /Im{id} Do Q\n"));

        public byte[] ToBytes() => Encoding.ASCII.GetBytes(_operators.ToString());

        /// <summary>A literal string: <c>( ) \</c> escaped with a backslash, other bytes outside printable ASCII as <c>\ddd</c>.</summary>
        private void AppendLiteral(byte[] bytes)
        {
            _operators.Append('(');
            foreach (var b in bytes)
            {
                if (b is (byte)'(' or (byte)')' or (byte)'\\')
                {
                    _operators.Append('\\').Append((char)b);
                }
                else if (b is < 0x20 or > 0x7E)
                {
                    _operators.Append('\\').Append(Convert.ToString(b, 8).PadLeft(3, '0'));
                }
                else
                {
                    _operators.Append((char)b);
                }
            }

            _operators.Append(')');
        }

        private static string N(double value) => Math.Round(value, 2).ToString("0.##", CultureInfo.InvariantCulture);
    }

    /// <summary>Writes numbered objects in order, remembering where each starts for the cross-reference table.</summary>
    private sealed class PdfWriter
    {
        private readonly MemoryStream _output = new();
        private readonly long[] _offsets;

        public PdfWriter(int objectCount)
        {
            _offsets = new long[objectCount + 1];
            // The comment of four bytes above 127 tells transfer tools the file is binary.
            Write("%PDF-1.4\n%");
            _output.Write([0xE2, 0xE3, 0xCF, 0xD3]);
            Write("\n");
        }

        public void Object(int id, string body)
        {
            Begin(id);
            Write(body);
            Write("\nendobj\n");
        }

        public void Stream(int id, string dictionaryEntries, byte[] data)
        {
            Begin(id);
            Write(Invariant($"<< /Length {data.Length}"));
            Write(dictionaryEntries.Length > 0 ? " " + dictionaryEntries + " >>\nstream\n" : " >>\nstream\n");
            _output.Write(data);
            Write("\nendstream\nendobj\n");
        }

        public byte[] Finish(int catalogId, int infoId)
        {
            var xref = _output.Position;
            var table = new StringBuilder();
            table.Append(Invariant($"xref\n0 {_offsets.Length}\n"));
            // Each entry is exactly 20 bytes: 10-digit offset, 5-digit generation, type, two-byte end of line.
            table.Append("0000000000 65535 f \n");
            for (var id = 1; id < _offsets.Length; id++)
            {
                if (_offsets[id] == 0)
                {
                    throw new InvalidOperationException($"PDF object {id} was numbered but never written.");
                }

                table.Append(_offsets[id].ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n \n");
            }

            table.Append(Invariant($"trailer\n<< /Size {_offsets.Length} /Root {catalogId} 0 R /Info {infoId} 0 R >>\nstartxref\n{xref}\n%%EOF\n"));
            Write(table.ToString());
            return _output.ToArray();
        }

        private void Begin(int id)
        {
            _offsets[id] = _output.Position;
            Write(Invariant($"{id} 0 obj\n"));
        }

        private void Write(string ascii) => _output.Write(Encoding.ASCII.GetBytes(ascii));
    }

    /// <summary>A JPEG's size and components from its start-of-frame marker; null when it is not one a PDF reader can show.</summary>
    internal sealed record JpegInfo(int Width, int Height, int Components, bool AdobeInverted)
    {
        public static JpegInfo? Read(byte[] data)
        {
            if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
            {
                return null;
            }

            var adobe = false;
            var i = 2;
            while (i + 4 <= data.Length)
            {
                if (data[i] != 0xFF)
                {
                    return null;
                }

                var marker = data[i + 1];
                if (marker == 0xFF)
                {
                    i++; // fill byte
                    continue;
                }

                i += 2;
                if (marker is 0x01 or (>= 0xD0 and <= 0xD8))
                {
                    continue; // markers without a length
                }

                if (marker is 0xD9 or 0xDA)
                {
                    return null; // image data or end before any frame header
                }

                var length = (data[i] << 8) | data[i + 1];
                if (length < 2 || i + length > data.Length)
                {
                    return null;
                }

                if (marker == 0xEE && length >= 7 && data.AsSpan(i + 2, 5).SequenceEqual("Adobe"u8))
                {
                    adobe = true;
                }

                // Baseline, extended and progressive DCT are what /DCTDecode reads; lossless, hierarchical and arithmetic are not.
                if (marker is 0xC0 or 0xC1 or 0xC2)
                {
                    if (length < 8)
                    {
                        return null;
                    }

                    var precision = data[i + 2];
                    var height = (data[i + 3] << 8) | data[i + 4];
                    var width = (data[i + 5] << 8) | data[i + 6];
                    var components = data[i + 7];
                    return precision == 8 && width > 0 && height > 0 && components is 1 or 3 or 4
                        ? new JpegInfo(width, height, components, adobe)
                        : null;
                }

                if (marker is >= 0xC3 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC)
                {
                    return null;
                }

                i += length;
            }

            return null;
        }
    }
}
